"""The reviewer report: one Markdown page that says its scale first, then every target's status,
the flags and the notes, then each analysed target's tables and figures.

A target counts when its summary.json exists and no newer failure record (<target>.failed.json,
written by `python -m analysis TARGET` when it fails) sits beside it; every expected target is
listed, missing and failed ones marked. The notes on the paper's own numbers come from the
reference files, so they are there whatever ran.
"""
from __future__ import annotations

import json
from pathlib import Path

from analysis.atari import paper_notes
from analysis.scale import scale_text, scales_text, short_number
from analysis.tables import atomic_write_text

ORDER = ["atari_table", "scalability", "data_efficiency", "mujoco_table", "beta_sweep", "tmax_sweep",
         "lr_robustness", "lr_study", "lr_study_carry", "driving", "maze"]
# tables shown in the report (name, rows shown: None = all); the rest are linked
INLINE = {"atari_table": [("atari_games.md", None), ("atari_table.md", None), ("atari_comparison.md", None), ("atari_anchors.md", None),
                          ("table1_recomputed.md", None), ("atari_contributions.md", 12)],
          "lr_study": [("lr_study_ranking.md", None), ("lr_study.md", None)],
          "lr_study_carry": [("lr_study.md", None)],
          "driving": [("driving.md", None), ("driving_lstm_vs_ff.md", None), ("driving_reference.md", None)],
          "maze": [("maze.md", None), ("maze_lstm_vs_ff.md", None), ("maze_reference.md", None)],
          "scalability": [("scalability.md", None)]}
PAPER_ATARI_FRAMES = 320e6  # the workflow's paper scale for atari_table (1 day on 16 cores)


def failure_path(out: Path) -> Path:
    """Where `python -m analysis` records that a target's last analysis failed."""
    return out.with_name(out.name + ".failed.json")


def compute_worker_hours(summaries: dict[str, dict]) -> float:
    """Worker-hours of the complete runs behind the summaries, each run directory counted once.

    scalability and data_efficiency analyse the same runs. A summary without run_worker_hours
    (written before it existed) adds its own total.
    """
    per_run: dict[str, float] = {}
    older = 0.0
    for summary in summaries.values():
        if "run_worker_hours" in summary:
            per_run.update(summary["run_worker_hours"])
        else:
            older += summary.get("compute_worker_hours", 0.0)
    return sum(per_run.values()) + older


def target_status(analysis_dir: Path, target: str) -> tuple[str, dict | None]:
    """(one line on the target's state, its summary when it is usable)."""
    out = analysis_dir / target
    failed, summary_path = failure_path(out), out / "summary.json"
    if failed.exists():
        record = read_json(failed) or {}
        kept = f"; an older output in analysis/{target}/ is not used" if summary_path.exists() else ""
        return f"**FAILED** ({record.get('failed', '?')}): {record.get('error', 'see the workflow log')}{kept}", None
    if summary_path.exists():
        summary = read_json(summary_path)
        if summary is None:
            return f"**FAILED**: analysis/{target}/summary.json is not readable JSON", None
        return (f"ok: {summary.get('complete_runs', 0)} complete run(s), {summary.get('partial_runs', 0)} in "
                f"progress (analysed {summary.get('finished', '?')})"), summary
    if out.exists():
        return f"**incomplete**: analysis/{target}/ has no summary.json (an analysis that did not finish)", None
    return f"**missing**: not analysed yet (`snakemake {target}`)", None


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def scale_paragraph(summaries: dict[str, dict]) -> list[str]:
    """The opening paragraph: the runs' scale and the protocol, before any number."""
    if not summaries:
        return ["**Scale and protocol.** No target has been analysed yet, so there is no scale to report "
                "and no number below rests on a run of ours.", ""]
    names = {t: s.get("scale", {}).get("name") for t, s in summaries.items()}
    if len(set(names.values())) == 1 and None not in names.values():
        which = f"These results come from the workflow's `{next(iter(names.values()))}` scale. "
    elif set(names.values()) == {None}:
        which = "These runs match none of the workflow's named scales (smoke, workstation, paper). "
    else:
        which = "Workflow scales: " + ", ".join(f"{t} `{n or 'none of them'}`" for t, n in names.items()) + ". "
    recorded = {t: s["scale"] for t, s in summaries.items() if "scale" in s}
    unrecorded = [t for t in summaries if t not in recorded]
    scales = (scales_text(recorded) + " " if recorded else "") + (
        f"Scale not recorded for {', '.join(unrecorded)} (analysed by an older version). " if unrecorded else "")
    return [f"**Scale and protocol.** {which}{scales}Atari scores are evaluated "
            "with up to 30 random no-op starts (the paper used human starts, which are not public) and "
            "normalised as 100 x (score - random) / (human - random) with the no-op human and random scores; "
            "the paper's rows use human starts and are shown for context only. " + caveat(summaries), ""]


def caveat(summaries: dict[str, dict]) -> str:
    """What the budget means for reading the numbers (Atari budget against the paper's)."""
    frames = summaries.get("atari_table", {}).get("scale", {}).get("frames_per_run") or []
    if not frames:
        return ""
    share = max(frames) / PAPER_ATARI_FRAMES
    if share >= 0.5:
        return "Budgets are the paper's order of magnitude."
    text = (f"At {short_number(max(frames))} frames per Atari run ({100 * share:.2g}% of the paper scale's "
            f"320M) expect scores well below the references")
    return text + (": these numbers show that the pipeline works, not what A3C can do." if share < 0.01 else ".")


def inline_table(path: Path, link: str, limit: int | None) -> list[str]:
    lines = path.read_text().rstrip("\n").split("\n")
    header = next((i for i, line in enumerate(lines) if line.startswith("|")), 0) + 2
    rows = len(lines) - header
    if limit is None or rows <= limit:
        return lines + [""]
    return lines[:header + limit] + ["", f"(first {limit} of {rows} rows; full table: [{path.name}]({link}))", ""]


def target_section(analysis_dir: Path, target: str, summary: dict) -> list[str]:
    scale = f"Scale: {scale_text(summary['scale'])}." if "scale" in summary else "Scale: not recorded."
    lines = ["", f"## {target}", "", scale, "",
             f"{summary['complete_runs']} complete run(s), {summary['partial_runs']} in progress.", ""]
    for name, limit in INLINE.get(target, []):
        path = analysis_dir / target / name
        if path.exists():
            lines += inline_table(path, f"analysis/{target}/{name}", limit)
    for name in summary["files"]:
        rel = f"analysis/{target}/{name}"
        lines.append(f"![{name}]({rel})" if name.endswith(".png") else f"- [{name}]({rel})")
    return lines


def build_report(results: Path, out: Path, targets: list[str] | None = None) -> Path:
    """The report over `targets` (those the workflow's scale defines; default: all), in ORDER."""
    unknown = sorted(set(targets or []) - set(ORDER))
    if unknown:
        raise ValueError(f"unknown report target(s): {', '.join(unknown)} (known: {', '.join(ORDER)})")
    analysis_dir = results / "analysis"
    statuses = {t: target_status(analysis_dir, t) for t in ORDER if targets is None or t in targets}
    summaries = {t: s for t, (_, s) in statuses.items() if s is not None}
    lines = ["# Reproduction report: Asynchronous Methods for Deep RL (Mnih et al. 2016)", ""]
    lines += scale_paragraph(summaries)
    lines += ["Generated by `python -m analysis report` from the run directories under "
              f"`{results}/runs/`. Every number rests on the runs counted beside it; a game or "
              "setting without a complete run shows as missing (—), never as zero.", "",
              "## Targets", ""] + [f"- {t}: {status}" for t, (status, _) in statuses.items()]
    lines += ["", "## Protocol", "",
              "Training and evaluation follow results/reference/protocol.md, with the deviations below "
              "(collected from every run's config.json).", "", "### Deviations from the paper", ""]
    deviations = sorted({d for s in summaries.values() for d in s.get("deviations", [])})
    lines += [f"- {d}" for d in deviations] or ["- (no runs yet)"]
    lines += ["", "## Compute used", "", f"{compute_worker_hours(summaries):.2f} worker-hours (wall time x "
              "workers, summed over complete runs).", "",
              "## Flags: our numbers further than the tolerance from a reference", ""]
    lines += [f"- {f}" for s in summaries.values() for f in s.get("flags", [])] or ["- none"]
    notes = list(dict.fromkeys(paper_notes() + [n for s in summaries.values() for n in s.get("notes", [])]))
    lines += ["", "## Notes on the paper's own numbers and on ours", ""] + [f"- {n}" for n in notes]
    for target, summary in summaries.items():
        lines += target_section(analysis_dir, target, summary)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, "\n".join(lines) + "\n")
    return out
