"""The Slurm backend: a sweep's cells as one job array on a cluster.

`scripts/sweep run --backend slurm` plans every cell not yet done (minimum
heaps are searched first, here, since cells need them), writes the plan to
the results folder, which must be on a file system the compute nodes share,
and submits one array job with a task per cell, in schedule order. Each task
(`scripts/sweep task`) runs its cell exactly as the local backend would and
writes the record to slurm/tasks/<task key>.json, whole or not at all.
`scripts/sweep collect` appends the finished tasks' records to runs.jsonl in
schedule order (with --wait, until the array has left the queue); a task
that ended without a record, its node lost say, is recorded as failed,
naming its log.

  slurm/plan-<n>.json   what submission n asked for: binary, environment,
                        timeout, tasks
  slurm/job-<n>.sh      its batch script; slurm/jobs.json lists the job ids
  slurm/tasks/          one record per finished task
  slurm/logs/           each task's stdout and stderr
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

import sweep_run
from sweep_plan import SweepError
from sweep_results import append_line, write_whole

PYTHON = "/usr/bin/python3"


def task_file(slurm_dir: Path, key: str) -> Path:
    return slurm_dir / "tasks" / (hashlib.sha256(key.encode()).hexdigest()[:32]
                                  + ".json")


def read_jobs(slurm_dir: Path) -> list:
    path = slurm_dir / "jobs.json"
    return json.loads(path.read_text()) if path.exists() else []


def queued(job_ids: list) -> bool:
    if not job_ids:
        return False
    listed = subprocess.run(["squeue", "-h", "-o", "%i", "-j",
                             ",".join(job_ids)], capture_output=True, text=True)
    # squeue refuses ids it no longer knows: then none is queued.
    return listed.returncode == 0 and bool(listed.stdout.strip())


def submit(sweep, cells: list, folder, gclab, min_heaps: dict,
           parallel: int, sbatch_args: list) -> str:
    slurm_dir = folder.directory / "slurm"
    jobs = read_jobs(slurm_dir)
    if queued([job["id"] for job in jobs]):
        raise SweepError(f"a job of sweep '{sweep.name}' is still queued or "
                         f"running; wait for it (scripts/sweep collect --wait "
                         f"{folder.directory}) before submitting more")
    cells = [cell for cell in cells
             if not task_file(slurm_dir, cell.key()).exists()]
    if not cells:
        raise SweepError("every cell is done or has a Slurm result to collect "
                         f"(scripts/sweep collect {folder.directory})")
    (slurm_dir / "tasks").mkdir(parents=True, exist_ok=True)
    (slurm_dir / "logs").mkdir(exist_ok=True)
    number = len(jobs)
    plan_path = slurm_dir / f"plan-{number}.json"
    plan = {"binary": str(gclab.binary),
            "env": {"GCLAB_GIT_COMMIT": gclab.env.get("GCLAB_GIT_COMMIT",
                                                      "unknown")},
            "timeout": sweep.timeout,
            "tasks": [sweep_run.plan_cell(sweep, cell, min_heaps)
                      for cell in cells]}
    write_whole(plan_path, json.dumps(plan) + "\n")
    threads = max(cell.mutators + cell.gc_threads for cell in cells)
    script = slurm_dir / f"job-{number}.sh"
    script.write_text(
        "#!/bin/bash\n"
        f"#SBATCH --job-name=gclab-{sweep.name}\n"
        f"#SBATCH --array=0-{len(cells) - 1}%{parallel}\n"
        f"#SBATCH --cpus-per-task={threads}\n"
        f"#SBATCH --output={slurm_dir}/logs/{number}-%a.out\n"
        f"exec {PYTHON} {sweep_run.REPO}/scripts/sweep task "
        f"{plan_path} \"$SLURM_ARRAY_TASK_ID\"\n")
    submitted = subprocess.run(["sbatch", "--parsable", *sbatch_args,
                                str(script)], capture_output=True, text=True)
    if submitted.returncode != 0:
        raise SweepError(f"sbatch refused the job: "
                         f"{submitted.stderr.strip() or submitted.stdout}")
    job_id = submitted.stdout.strip().split(";")[0]
    jobs.append({"id": job_id, "plan": plan_path.name, "tasks": len(cells),
                 "submitted": sweep_run.now_text()})
    write_whole(slurm_dir / "jobs.json", json.dumps(jobs, indent=2) + "\n")
    return job_id


def run_task(plan_path: Path, index: int) -> int:
    """One array task: runs its cell and leaves the record for collect."""
    plan = json.loads(plan_path.read_text())
    planned = plan["tasks"][index]
    env = {**os.environ, **plan["env"]}
    record = sweep_run.execute(planned, plan["binary"], env, plan["timeout"])
    if record is None:
        return 130
    record["runner"]["backend"] = "slurm"
    record["runner"]["slurm"] = {
        name: os.environ.get(f"SLURM_{name.upper()}")
        for name in ("array_job_id", "array_task_id", "job_nodelist")}
    write_whole(task_file(plan_path.parent, planned["record"]["key"]),
                json.dumps(record) + "\n")
    return 0


def collect(folder, wait: bool, poll_seconds: float = 1.0) -> tuple:
    """Appends finished tasks' records to runs.jsonl; returns (collected,
    still running, lost)."""
    slurm_dir = folder.directory / "slurm"
    jobs = read_jobs(slurm_dir)
    if not jobs:
        raise SweepError(f"{folder.directory} has no Slurm job to collect")
    plans = [(job, json.loads((slurm_dir / job["plan"]).read_text()))
             for job in jobs]
    done = folder.done_keys()
    wanted = [(job, index, planned) for job, plan in plans
              for index, planned in enumerate(plan["tasks"])
              if planned["record"]["key"] not in done]
    progress = tqdm(total=len(wanted), desc="collect", unit="task",
                    file=sys.stderr, disable=not wait)
    collected = 0
    while True:
        still_queued = queued([job["id"] for job in jobs])
        remaining = []
        for job, index, planned in wanted:
            path = task_file(slurm_dir, planned["record"]["key"])
            if path.exists():
                folder.append(json.loads(path.read_text()))
                collected += 1
                progress.update(1)
            else:
                remaining.append((job, index, planned))
        wanted = remaining
        if not wanted or not still_queued or not wait:
            break
        time.sleep(poll_seconds)
    progress.close()
    lost = 0
    if not queued([job["id"] for job in jobs]):
        for job, index, planned in wanted:
            # Gone from the queue without a record: the task itself failed.
            record = dict(planned["record"])
            log = slurm_dir / "logs" / f"{job['plan'][5:-5]}-{index}.out"
            record.update(status="failed", failure="slurm-task",
                          error=f"Slurm task {job['id']}_{index} left no "
                                f"record (see {log})",
                          exit_code=None, report=None,
                          runner={"elapsed_ns": 0, "backend": "slurm",
                                  "started": None, "argv": planned["args"]})
            folder.append(record)
            lost += 1
        wanted = []
    return collected, len(wanted), lost
