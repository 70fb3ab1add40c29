"""Model files never run code: crafted ``.skops`` files are refused before anything is built.

The two payloads are the ones an outside review used against the old prefix allow-lists: a skops
``ConstructorFromReduceNode`` that calls ``builtins.exec`` and one that calls numpy's
``runstring``. Each would create a marker file if it ran.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import skops.io as sio
from click.testing import CliRunner
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairmend.cli import cli
from fairmend.errors import UntrustedModelError
from fairmend.modelio import _resolve_class, allowed_types, load_model, save_model

PAYLOADS = {
    "exec": ("builtins", "exec", lambda marker: [f"open({str(marker)!r}, 'w').write('pwned')"]),
    "runstring": (
        "numpy.testing._private.utils",
        "runstring",
        lambda marker: [f"open({str(marker)!r}, 'w').write('pwned')", {}],
    ),
}


def _json_node(value):
    return {"__class__": type(value).__name__, "__module__": "builtins", "__loader__": "JsonNode",
            "content": json.dumps(value), "is_json": True, "__id__": id(value)}


def _call_node(module, name, args):
    return {"__class__": name, "__module__": module, "__loader__": "ConstructorFromReduceNode",
            "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                        "content": [_json_node(a) for a in args], "__id__": 11}, "__id__": 12}


def write_payload(path, kind, marker, *, inside=None):
    """A skops file whose schema calls the payload; ``inside`` hides it in a legitimate model file."""
    module, name, args = PAYLOADS[kind]
    node = _call_node(module, name, args(marker))
    if inside is None:
        schema = dict(node, protocol=2, _skops_version="0.16.0")
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("schema.json", json.dumps(schema))
        return path
    with zipfile.ZipFile(inside) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "schema.json":
                schema = json.loads(data)
                schema["content"]["content"]["C"] = node  # an estimator attribute becomes the call
                data = json.dumps(schema).encode()
            dst.writestr(item, data)
    return path


@pytest.fixture
def german_xy(german):
    frame = german.frame.copy()
    return frame.drop(columns=["credit"]), frame["credit"].to_numpy()


@pytest.fixture
def logreg_file(german_xy, tmp_path):
    X, y = german_xy
    num = X.select_dtypes("number").columns
    model = LogisticRegression(max_iter=500).fit(X[num], y)
    path = tmp_path / "logreg.skops"
    save_model(model, path)
    return path


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("hidden", [False, True], ids=["bare", "inside-estimator"])
def test_malicious_model_refused_by_loader(kind, hidden, tmp_path, logreg_file):
    marker = tmp_path / "MARKER"
    path = write_payload(tmp_path / "evil.skops", kind, marker, inside=logreg_file if hidden else None)
    # The payload is real: skops' own loader, trusting what the file lists, runs it.
    probe = tmp_path / "PROBE"
    write_payload(tmp_path / "probe.skops", kind, probe)
    sio.load(tmp_path / "probe.skops", trusted=sio.get_untrusted_types(file=tmp_path / "probe.skops"))
    assert probe.exists()
    with pytest.raises(UntrustedModelError) as err:
        load_model(path)
    module, name, _ = PAYLOADS[kind]
    assert f"{module}.{name}" in str(err.value)
    assert "--trust" in str(err.value)
    assert not marker.exists()


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_malicious_model_refused_by_cli(kind, tmp_path, german):
    marker = tmp_path / "MARKER"
    evil = write_payload(tmp_path / "evil.skops", kind, marker)
    data = tmp_path / "german.csv"
    german.frame.to_csv(data, index=False)
    for args in (
        ["run", "reweighing_kamiran_calders", "--data", str(data), "--protected", "sex", "--outcome", "credit",
         "--base-model", str(evil), "--n-boot", "0", "--n-permutations", "0"],
        ["audit", "--data", str(data), "--protected", "sex", "--outcome", "credit", "--model", str(evil)],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (result.output, result.exception)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "refused untrusted type(s)" in lines[0] and "Traceback" not in result.stderr
        assert not marker.exists()


def test_trust_flag_is_explicit_and_per_type(tmp_path, german_xy):
    """A function the allow-list refuses loads once the user names it with ``trust``."""
    X, y = german_xy
    num = X.select_dtypes("number").columns
    model = make_pipeline(SelectKBest(f_classif, k=2), LogisticRegression()).fit(X[num], y)
    path = tmp_path / "kbest.skops"
    save_model(model, path)
    name = f"{f_classif.__module__}.{f_classif.__name__}"
    with pytest.raises(UntrustedModelError, match=name):
        load_model(path)
    loaded = load_model(path, trust=[name])
    np.testing.assert_array_equal(loaded.predict(X[num]), model.predict(X[num]))


def _check_round_trip(model, X, tmp_path, name):
    path = tmp_path / f"{name}.skops"
    save_model(model, path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))


def test_legitimate_models_load(german_xy, tmp_path):
    X, y = german_xy
    cats = [c for c in X.columns if X[c].dtype == object]
    prep = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), cats),
        (StandardScaler(), [c for c in X.columns if c not in cats]),
    )
    hgb = make_pipeline(prep, HistGradientBoostingClassifier(max_iter=30, random_state=0)).fit(X, y)
    _check_round_trip(hgb, X, tmp_path, "hgb")
    logreg = make_pipeline(prep, LogisticRegression(max_iter=1000)).fit(X, y)
    _check_round_trip(logreg, X, tmp_path, "logreg")
    forest = make_pipeline(prep, RandomForestClassifier(n_estimators=5, random_state=0)).fit(X, y)
    _check_round_trip(forest, X, tmp_path, "forest")


def test_user_model_file_runs_as_base_model(german, tmp_path):
    frame = german.frame
    X = frame.drop(columns=["credit", "sex"])
    num = list(X.select_dtypes("number").columns)
    model = make_pipeline(make_column_transformer((StandardScaler(), num)), LogisticRegression()).fit(X, frame["credit"])
    path = tmp_path / "user.skops"
    save_model(model, path)
    data = tmp_path / "german.csv"
    frame.to_csv(data, index=False)
    result = CliRunner().invoke(cli, ["run", "threshold_optimizer_equalized_odds_hardt", "--data", str(data),
                                      "--protected", "sex", "--outcome", "credit", "--base-model", str(path),
                                      "--n-boot", "0", "--n-permutations", "0", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["technique"] == "threshold_optimizer_equalized_odds_hardt"


def test_allow_list_holds_classes_only():
    names = allowed_types()
    assert "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor" in names
    assert "fairmend.catalog.techniques.post_processing.pleiss.CalibratedEqualizedOdds" in names
    assert not any(n.startswith("builtins.") for n in names)
    for name in names:
        assert _resolve_class(name) is not None, name
