# One job = one training run in its own directory. The only declared output is final.json, so a
# failed or killed job leaves its checkpoint in place and the re-run resumes from it (--resume).


rule train:
    output:
        RUN + "/final.json",
    log:
        RUN + "/snakemake.log",
    wildcard_constraints:
        experiment="|".join(EXPERIMENTS),
        workers=r"\d+",
        seed=r"\d+",
        variant=r"default|(beta|tmax|lr|eps)[0-9.e-]+(_(beta|tmax|lr|eps)[0-9.e-]+)*",
    params:
        flags=lambda wc: variant_flags(wc.variant) + experiment_flags(wc.experiment),
        frames=lambda wc: GRID[wc.experiment]["frames"],
        out=lambda wc, output: os.path.dirname(output[0]),
        ev=lambda wc: eval_settings(wc.experiment),
        strict=int(bool(config.get("strict_cores", False))),
    # The worker count comes from the wildcard; Snakemake caps {threads} at --cores silently, so
    # the job compares the two and says so (or fails with strict_cores).
    threads: lambda wc: int(wc.workers)
    # A run with a checkpoint goes before a new one: when cores are fewer than runs, the ones in
    # progress finish first (and a session leaves fewer half-done runs behind).
    priority: lambda wc: run_in_progress(wc)
    # What a cluster job asks for (workflows/budget.py): a CPU per worker and one for the evaluator,
    # memory from the measured footprint per process, a time limit from the run's estimated wall
    # time (the throughput figures of `snakemake budget`) with the scale's margin, longer on a retry.
    resources:
        cpus_per_task=lambda wc: int(wc.workers) + 1,
        mem_mb=lambda wc: compute_budget.mem_mb(run_of(wc).domain, int(wc.workers)),
        runtime=lambda wc, attempt: train_runtime_min(wc, attempt),
    shell:
        r"""
        if [ {threads} -lt {wildcards.workers} ]; then
            msg="WARNING: {wildcards.workers} workers share {threads} core(s) in this job (--cores too small); speed figures from this run are not comparable"
            echo "$msg" >> {log}; echo "$msg" >&2
            if [ {params.strict} -eq 1 ]; then echo "strict_cores: refusing to run" >&2; exit 1; fi
        fi
        {PYTHON} -m a3c train --game {wildcards.game} --algo {wildcards.algo} --workers {wildcards.workers} \
            --seed {wildcards.seed} --frames {params.frames} \
            --eval-every {params.ev[eval_every]} --eval-episodes {params.ev[eval_episodes]} \
            --final-eval-episodes {params.ev[final_eval_episodes]} {params.flags} \
            --out {params.out} --resume >> {log} 2>&1
        """
