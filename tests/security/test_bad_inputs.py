"""A corpus of bad inputs across every command and the Python API, generated at test time.

Each case must end in a one-line error on stderr with exit code 2 (or be handled correctly, exit 0),
print no traceback, and leave every input file byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.errors import FairmendError

FAST = ["--n-boot", "0", "--n-permutations", "0"]


class Files:
    """Bad and good input files, written on demand into one temporary folder."""

    def __init__(self, root: Path, base: pd.DataFrame) -> None:
        self.root, self.base = root, base

    def frame(self, name: str, frame: pd.DataFrame) -> str:
        path = self.root / name
        if path.suffix == ".parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        return str(path)

    def text(self, name: str, content: str | bytes) -> str:
        path = self.root / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)

    def good(self) -> str:
        return self.frame("good.csv", self.base)

    def edited(self, name: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> str:
        return self.frame(name, edit(self.base.copy()))


def _set(column: str, rows: slice | list[int], value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(f: pd.DataFrame) -> pd.DataFrame:
        if isinstance(value, str) or f[column].dtype == object:
            f[column] = f[column].astype(object)
        else:
            f[column] = f[column].astype(float)
        f.loc[f.index[rows], column] = value
        return f

    return edit


def _scored(f: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    f["score"] = rng.uniform(size=len(f))
    f["decision"] = (f["score"] > 0.5).astype(int)
    f["text_score"] = np.where(rng.uniform(size=len(f)) > 0.5, "high", "low")
    f["big_score"] = f["score"] * 10
    return f


# Bad data files: (id, how the file is made, the words the error must contain).
FILE_CASES: list[tuple[str, Callable[[Files], str], str]] = [
    ("missing-file", lambda F: str(F.root / "nope.csv"), "not found"),
    ("directory", lambda F: str(F.root), ""),
    ("empty-file", lambda F: F.text("empty.csv", ""), "empty"),
    ("header-only", lambda F: F.text("header.csv", "age,sex,credit\n"), "no data rows"),
    ("unsupported-suffix", lambda F: F.text("data.txt", "a,b\n1,2\n"), "unsupported file format"),
    ("garbage-csv", lambda F: F.text("garbage.csv", b"\x00\xff\xfe\x00" * 64), ""),
    ("garbage-parquet", lambda F: F.text("garbage.parquet", b"PAR1 this is not parquet"), "cannot be read"),
    ("duplicate-header", lambda F: F.text("dup.csv", "sex,age,sex,credit\nmale,30,female,1\nfemale,40,male,0\n"),
     "duplicate column"),
    ("nested-parquet", lambda F: F.edited("nested.parquet", lambda f: f.assign(tags=[[1, 2]] * len(f))), "nested"),
    ("inf-feature", lambda F: F.edited("inf.csv", _set("age", [3], np.inf)), "infinite"),
    ("minus-inf-feature", lambda F: F.edited("minf.csv", _set("duration", [5, 9], -np.inf)), "infinite"),
    ("nan-outcome", lambda F: F.edited("nan_y.csv", _set("credit", [1], np.nan)), "missing"),
    ("nan-protected", lambda F: F.edited("nan_a.csv", _set("sex", [2], np.nan)), "missing"),
    ("three-label-outcome", lambda F: F.edited("three.csv", _set("credit", [0, 1], 2)), "binary"),
    ("one-group", lambda F: F.edited("onegroup.csv", lambda f: f.assign(sex="male")), "single group"),
    ("one-label", lambda F: F.edited("onelabel.csv", lambda f: f.assign(credit=1)), ""),
    ("text-in-outcome", lambda F: F.edited("texty.csv", _set("credit", [4], "maybe")), "binary"),
]

COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "run": lambda d: ["run", "reweighing_kamiran_calders", "--data", d, "--protected", "sex", "--outcome", "credit",
                      *FAST],
    "audit": lambda d: ["audit", "--data", d, "--protected", "sex", "--outcome", "credit", "--predictions", "credit"],
    "pipeline": lambda d: ["pipeline", "--data", d, "--protected", "sex", "--outcome", "credit", "--output",
                           str(Path(d).parent / "pipe-out"), "--quiet"],
    "causal": lambda d: ["causal", "--data", d, "--protected", "sex", "--outcome", "credit"],
}

# Options and values: (id, argv builder from the Files, needle). An empty needle accepts any one-line error.
ARG_CASES: list[tuple[str, Callable[[Files], list[str]], str]] = []


def _run(F: Files, *extra: str, key: str = "reweighing_kamiran_calders", data: str | None = None) -> list[str]:
    return ["run", key, "--data", data or F.good(), "--protected", "sex", "--outcome", "credit", *FAST, *extra]


def _scored_file(F: Files) -> str:
    return F.edited("scored.csv", _scored)


ARG_CASES += [
    ("run-unknown-technique", lambda F: _run(F, key="reweighing_kamirann"), "unknown technique"),
    ("run-unknown-param", lambda F: _run(F, "--param", "nope=1"), "nope"),
    ("run-param-without-equals", lambda F: _run(F, "--param", "nope"), "NAME=VALUE"),
    ("run-param-bad-type", lambda F: _run(F, "--param", "eps=abc", key="exponentiated_gradient_reduction"), "eps"),
    ("run-param-out-of-range", lambda F: _run(F, "--param", "eps=-1", key="exponentiated_gradient_reduction"), "eps"),
    ("run-param-bad-choice", lambda F: _run(F, "--param", "constraint=fairest", key="exponentiated_gradient_reduction"),
     "constraint"),
    ("run-test-size", lambda F: _run(F, "--test-size", "0.99"), "test-size"),
    ("run-test-size-text", lambda F: _run(F, "--test-size", "half"), "test-size"),
    ("run-seed-text", lambda F: _run(F, "--seed", "one"), "seed"),
    ("run-target-metric", lambda F: _run(F, "--target-metric", "demographic_parity_diference"), "did you mean"),
    ("run-missing-protected", lambda F: ["run", "reweighing_kamiran_calders", "--data", F.good(), "--protected", "sexx",
                                         "--outcome", "credit", *FAST], "did you mean"),
    ("run-missing-outcome", lambda F: ["run", "reweighing_kamiran_calders", "--data", F.good(), "--protected", "sex",
                                       "--outcome", "credits", *FAST], "credits"),
    ("run-outcome-is-protected", lambda F: ["run", "reweighing_kamiran_calders", "--data", F.good(), "--protected",
                                            "credit", "--outcome", "credit", *FAST], "both"),
    ("run-no-protected", lambda F: ["run", "reweighing_kamiran_calders", "--data", F.good(), "--protected", ",",
                                    "--outcome", "credit", *FAST], "protected"),
    ("run-missing-option", lambda F: ["run", "reweighing_kamiran_calders", "--data", F.good()], "--protected"),
    ("run-unknown-option", lambda F: _run(F, "--colour", "red"), "--colour"),
    ("run-favourable-not-a-value", lambda F: _run(F, "--favourable-label", "7"), "favourable label"),
    ("run-scores-missing", lambda F: _run(F, "--scores", "nope"), "nope"),
    ("run-scores-text", lambda F: _run(F, "--scores", "text_score", data=_scored_file(F)), "finite numbers"),
    ("run-scores-range", lambda F: _run(F, "--scores", "big_score", data=_scored_file(F)), "[0, 1]"),
    ("run-scores-is-outcome", lambda F: _run(F, "--scores", "credit"), "outcome"),
    ("run-predictions-nonbinary", lambda F: _run(F, "--predictions", "score", data=_scored_file(F)), "binary"),
    ("run-post-needs-scores", lambda F: _run(F, "--predictions", "decision", key="threshold_optimizer_equalized_odds_hardt",
                                             data=_scored_file(F)), "--scores"),
    ("run-threshold-range", lambda F: _run(F, "--scores", "score", "--threshold", "1.5", data=_scored_file(F)),
     "threshold"),
    ("run-scores-on-ranking", lambda F: _run(F, "--scores", "score", key="fa_ir_fair_top_k", data=_scored_file(F)),
     "binary classification"),
    ("run-base-model-unknown", lambda F: _run(F, "--base-model", "xgboost"), "unknown base model"),
    ("run-base-model-missing", lambda F: _run(F, "--base-model", str(F.root / "m.skops")), "not found"),
    ("run-base-model-garbage", lambda F: _run(F, "--base-model", F.text("junk.skops", b"not a zip")), "model file"),
    ("run-output-below-file", lambda F: _run(F, "--output", str(Path(F.text("f.txt", "x")) / "out")), "below the file"),
    ("run-output-is-file", lambda F: _run(F, "--output", F.text("g.txt", "x")), "file"),
    ("run-output-holds-input", lambda F: _run(F, "--output", str(F.root), "--overwrite"), "contains the input"),
    ("run-one-row-group", lambda F: _run(F, data=F.edited("onerow.csv", _set("sex", [0], "other"))), ""),
    ("run-analysis-tiny", lambda F: _run(F, key="model_cards", data=F.frame("tiny.csv", F.base.head(10))), ""),
]

ARG_CASES += [
    ("audit-both", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome", "credit",
                              "--predictions", "credit", "--model", "m.skops"], "exactly one of"),
    ("audit-neither", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome", "credit"],
     "exactly one of"),
    ("audit-predictions-missing", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome", "credit",
                                             "--predictions", "pred"], "pred"),
    ("audit-predictions-nonbinary", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome",
                                               "credit", "--predictions", "age"], "binary"),
    ("audit-scores-text", lambda F: ["audit", "--data", _scored_file(F), "--protected", "sex", "--outcome", "credit",
                                     "--predictions", "decision", "--scores", "text_score"], "text_score"),
    ("audit-scores-range", lambda F: ["audit", "--data", _scored_file(F), "--protected", "sex", "--outcome", "credit",
                                      "--predictions", "decision", "--scores", "big_score"], "big_score"),
    ("audit-negative-boot", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome", "credit",
                                       "--predictions", "credit", "--n-boot", "-1"], "n-boot"),
    ("audit-ci-method", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome", "credit",
                                   "--predictions", "credit", "--ci-method", "magic"], "ci-method"),
    ("audit-model-garbage", lambda F: ["audit", "--data", F.good(), "--protected", "sex", "--outcome", "credit",
                                       "--model", F.text("bad.skops", b"PK\x03\x04 broken")], "model file"),
]


def _policy(F: Files, name: str, text: str) -> list[str]:
    return ["pipeline", "--data", F.good(), "--protected", "sex", "--outcome", "credit", "--policy",
            F.text(name, text), "--output", str(F.root / f"out-{name}"), "--quiet"]


ARG_CASES += [
    ("policy-missing", lambda F: ["pipeline", "--data", F.good(), "--protected", "sex", "--outcome", "credit",
                                  "--policy", str(F.root / "none.yaml")], "none.yaml"),
    ("policy-malformed", lambda F: _policy(F, "bad.yaml", "targets: [unclosed\n  - x: {"), "policy"),
    ("policy-not-mapping", lambda F: _policy(F, "list.yaml", "- 1\n- 2\n"), "mapping"),
    ("policy-unknown-key", lambda F: _policy(F, "unk.yaml", "targetz: {}\n"), "targetz"),
    ("policy-unknown-nested", lambda F: _policy(F, "unk2.yaml", "targets: {max_dp: 0.1}\n"), "max_dp"),
    ("policy-string-number", lambda F: _policy(F, "str.yaml", "targets: {min_disparate_impact_ratio: high}\n"),
     "min_disparate_impact_ratio"),
    ("policy-negative", lambda F: _policy(F, "neg.yaml", "max_iterations: -3\n"), "max_iterations"),
    ("policy-negative-threshold", lambda F: _policy(F, "negt.yaml", "targets: {min_disparate_impact_ratio: -0.8}\n"),
     "min_disparate_impact_ratio"),
    ("policy-ratio-above-one", lambda F: _policy(F, "big.yaml", "targets: {min_disparate_impact_ratio: 3}\n"),
     "min_disparate_impact_ratio"),
    ("policy-bool-number", lambda F: _policy(F, "bool.yaml", "candidates_per_stage: yes\n"), "candidates_per_stage"),
    ("policy-null-section", lambda F: _policy(F, "null.yaml", "targets:\n"), "targets"),
    ("policy-python-tag", lambda F: _policy(F, "tag.yaml", "targets: !!python/object/apply:os.system ['echo hi']\n"),
     "policy"),
    ("pipeline-output-holds-input", lambda F: ["pipeline", "--data", F.good(), "--protected", "sex", "--outcome",
                                               "credit", "--output", str(F.root), "--resume"], "contains the input"),
]


def _causal(F: Files, *extra: str, data: str | None = None) -> list[str]:
    return ["causal", "--data", data or F.good(), "--protected", "sex", "--outcome", "credit", *extra]


ARG_CASES += [
    ("causal-ten-rows", lambda F: _causal(F, data=F.frame("ten.csv", F.base.head(10))), ""),
    ("causal-dag-malformed", lambda F: _causal(F, "--dag", F.text("dag.yaml", "edges: [[a, b]\n  - {")), "dag"),
    ("causal-dag-missing", lambda F: _causal(F, "--dag", str(F.root / "none.yaml")), "none.yaml"),
    ("causal-dag-not-edges", lambda F: _causal(F, "--dag", F.text("dag2.yaml", "edges: 5\n")), "edges"),
    ("causal-dag-bad-edge", lambda F: _causal(F, "--dag", F.text("dag3.yaml", "edges: [[sex]]\n")), "edge"),
    ("causal-dag-unknown-column", lambda F: _causal(F, "--dag", F.text("dag4.yaml", "edges: [[sex, nosuch]]\n")),
     "nosuch"),
    ("causal-dag-python-tag", lambda F: _causal(F, "--dag", F.text("dag5.yaml", "edges: !!python/name:os.system\n")),
     "dag"),
    ("causal-protected-missing", lambda F: _causal(F, data=None)[:4] + ["--protected", "gender", "--outcome", "credit"],
     "gender"),
]

ARG_CASES += [
    ("monitor-missing-column", lambda F: ["monitor", "--reference", F.good(), "--current", F.good(), "--protected",
                                          "gender", "--outcome", "credit"], "gender"),
    ("monitor-current-missing", lambda F: ["monitor", "--reference", F.good(), "--current", str(F.root / "x.csv")],
     "x.csv"),
    ("monitor-garbage", lambda F: ["monitor", "--reference", F.good(), "--current",
                                   F.text("mon.csv", b"\x00\x01\x02")], ""),
    ("recommend-empty", lambda F: ["recommend", ""], "empty"),
    ("recommend-whitespace", lambda F: ["recommend", "   \n\t "], "empty"),
    ("techniques-show-unknown", lambda F: ["techniques", "show", "nosuchtechnique"], "nosuchtechnique"),
    ("techniques-show-bad-id", lambda F: ["techniques", "show", "99999"], "99999"),
    ("techniques-list-bad-stage", lambda F: ["techniques", "list", "--stage", "mid_processing"], "mid_processing"),
    ("datasets-show-unknown", lambda F: ["datasets", "show", "compas"], "compas"),
    ("datasets-export-unknown", lambda F: ["datasets", "export", "compas", str(F.root / "c.csv")], "compas"),
    ("datasets-export-suffix", lambda F: ["datasets", "export", "german", str(F.root / "g.xlsx")], "unsupported"),
    ("datasets-export-exists", lambda F: ["datasets", "export", "german", F.good()], "--overwrite"),
    ("datasets-export-below-file", lambda F: ["datasets", "export", "german",
                                              str(Path(F.text("h.txt", "x")) / "g.csv")], "file"),
    ("unknown-command", lambda F: ["fly"], "fly"),
]


def _hashes(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def base(german) -> pd.DataFrame:
    return german.frame.copy()


def _check(result, files: Files, before: dict[str, str], needle: str) -> None:
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Warning:")]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert needle.lower() in lines[0].lower(), (needle, lines[0])
    after = _hashes(files.root)
    assert {p: h for p, h in after.items() if p in before} == before  # no input was modified


CLI_CASES = [(f"{cmd}-{fid}", lambda F, make=make, cmd=cmd: COMMANDS[cmd](make(F)), needle)
             for fid, make, needle in FILE_CASES for cmd in COMMANDS] + ARG_CASES
ERROR_ONLY = {cid for cid, _, needle in CLI_CASES if needle}  # cases that must fail, not be handled


@pytest.mark.parametrize(("case", "build", "needle"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input(case, build, needle, base, tmp_path):
    files = Files(tmp_path, base)
    argv = build(files)
    before = _hashes(tmp_path)
    result = CliRunner().invoke(cli, argv)
    _check(result, files, before, needle)
    if case in ERROR_ONLY:
        assert result.exit_code == 2, result.output
    # The same case under --json: the error is JSON on stdout, with the same exit code.
    if result.exit_code == 2 and argv[0] in ("run", "audit", "causal", "recommend", "techniques", "datasets"):
        again = CliRunner().invoke(cli, [*argv, "--json"])
        if again.exit_code == 2 and "--json" not in again.stderr:
            payload = json.loads(again.stdout)
            assert set(payload["error"]) >= {"type", "message"}


API_CASES: list[tuple[str, Callable[[pd.DataFrame], object], type[Exception]]] = [
    ("int-column-labels", lambda f: f.set_axis(range(f.shape[1]), axis=1), FairmendError),
    ("duplicate-labels", lambda f: f.set_axis(["sex", *f.columns[1:-1], "sex"], axis=1), FairmendError),
    ("list-not-frame", lambda f: f.to_numpy().tolist(), FairmendError),
    ("empty-frame", lambda f: f.head(0), FairmendError),
    ("inf-values", lambda f: f.assign(age=np.where(np.arange(len(f)) == 3, np.inf, f["age"])), FairmendError),
    ("nested-cells", lambda f: f.assign(tags=[{"a": 1}] * len(f)), FairmendError),
]


@pytest.mark.parametrize(("case", "make", "error"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_bad_input(case, make, error, base):
    import fairmend

    data = make(base.copy())
    snapshot = data.copy() if isinstance(data, pd.DataFrame) else None
    with pytest.raises(error) as info:
        fairmend.run("reweighing_kamiran_calders", data, protected=["sex"], outcome="credit", n_boot=0,
                     n_permutations=0)
    assert "\n" not in str(info.value)
    if snapshot is not None:
        pd.testing.assert_frame_equal(data, snapshot)  # the caller's table is never modified


def test_corpus_size():
    assert len(CLI_CASES) + len(API_CASES) >= 100
