"""The constraint reader: clauses, negation scope, withdrawal, permission, budgets, uncertainty, and
the freshness of the shipped model and index. Uses the real all-MiniLM-L6-v2 (shipped offline)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fairmend.catalog.types import Criterion, Stage, TaskType
from fairmend.recommender import parse_text, reader
from fairmend.recommender.budget import accuracy_budget
from fairmend.recommender.constraints import Constraints, merge_flags
from fairmend.recommender.settle import UNDERSTOOD, apply_findings
from quality import from_text

pytestmark = pytest.mark.integration


def test_clauses_and_negation_scope():
    assert reader.split_clauses("can't retrain and can't use race") == ["can't retrain", "can't use race"]
    assert reader.split_clauses("the data and the model are frozen") == ["the data and the model are frozen"]
    toks = reader.scoped_tokens("We cannot retrain the model, but we can use age")
    assert "NOT_retrain" in toks and "use" in toks and "NOT_use" not in toks
    assert reader.scoped_tokens("nobody can not retrain")[-1] == "retrain"  # double negation


@pytest.mark.parametrize(
    "text, value",
    [
        # phrasings quoted in issue 14 (none is in the validation corpus or the exemplars)
        ("we thought we couldn't retrain, but actually we can", True),
        ("the model belongs to a supplier and is locked", False),
    ],
)
def test_retraining_read_with_withdrawal(text, value):
    assert parse_text(text).retraining_allowed is value


def test_two_constraints_in_one_clause():
    c = parse_text("can't retrain and can't use race")
    assert c.retraining_allowed is False and c.protected_at_inference_allowed is False
    assert c.sources["retraining_allowed"] == "text" and c.evidence["retraining_allowed"] == "can't retrain"


def test_permission_overrides_the_domain_default():
    default = parse_text("A mortgage approval model shows a gap between age groups.")
    assert (
        default.protected_at_inference_allowed is False
        and default.sources["protected_at_inference_allowed"] == "domain-default"
    )
    c = parse_text("A mortgage approval model. Using age at decision time is allowed in our setting.")
    assert c.domain == "lending" and c.protected_at_inference_allowed is True
    assert c.sources["protected_at_inference_allowed"] == "text"


@pytest.mark.parametrize(
    "text, budget",
    [
        ("we can lose at most 2 points", 0.02),
        ("accuracy loss under 2%", 0.02),
        ("no more than 0.02 AUC", 0.02),
        ("a drop of one percentage point of accuracy at most", 0.01),
        ("up to five percent accuracy", 0.05),
        ("the approval gap is 12 points", None),
        ("accuracy is 91% on 10,000 rows", None),
        # "spare" and an "appetite" for loss are limits too; sparing analysts is no budget
        ("We could spare half a point of AUC and not a bit more.", 0.005),
        ("Risk appetite for AUC degradation: 40 basis points.", 0.004),
        ("we can spare 2 analysts for the review", None),
        # compounds and fractions, basis points, a cue after the amount
        ("we could accept losing two and a half percent of accuracy", 0.025),
        ("we can give up half a point of accuracy", 0.005),
        ("half a point of accuracy is the most we can give up", 0.005),
        ("we can afford a quarter of a point of AUC", 0.0025),
        ("losing more than three quarters of a point of accuracy is unacceptable", 0.0075),
        ("one and a half percentage points of accuracy is our limit", 0.015),
        ("a loss of 50 basis points in accuracy is tolerable", 0.005),
        ("accuracy may drop by 25 bps at most", 0.0025),
        ("we'd accept a 1.5 pp drop in accuracy", 0.015),
        ("accuracy may fall by no more than 3 per cent", 0.03),
        ("we can lose a point of accuracy", 0.01),
        ("two points of AUC, tops", 0.02),
        ("F1 has to stay within 0.02 of today's model", 0.02),  # a bare number after the cue
        ("accuracy must be back within 2 weeks", None),
        # levels, gaps and past losses are no budget
        ("the model is 4 points less accurate for women", None),
        ("the gap in accuracy is 5%", None),
        ("accuracy cannot go below 85%", None),
        ("we lost 3 points of accuracy last year", None),
        ("approval rates differ by 7%", None),
        # a bare decimal with a trailing cue, a named limit before "is", tenths, reduce / tolerance / take
        ("the F1 score may slip by 0.015 at most", 0.015),
        ("the budget for accuracy loss is 0.4 percentage points", 0.004),
        ("our ceiling on lost AUC is 1.5 points", 0.015),
        ("risk set a tolerance of 3% on balanced accuracy", 0.03),
        ("the change must not reduce accuracy by more than 0.6 points", 0.006),
        ("we could take a 0.5% accuracy hit at the most", 0.005),
        ("no more than two tenths of a percentage point of accuracy", 0.002),
        ("we cannot give up more than a tenth of a point", 0.001),
        ("a one-fifth of a point AUC drop at most", 0.002),
        ("we can lose 2 points of accuracy, maybe less", 0.02),
        # hedged, vague or ranged amounts are no firm limit
        ("we could probably give up a point or so of accuracy", None),
        ("losing roughly 2% of accuracy would be fine", None),
        ("an accuracy loss of 1-3% is acceptable", None),
        ("we could accept 1 to 2 points of AUC", None),
        ("we'd tolerate half a point of accuracy, perhaps a bit more", None),
        ("give up 2 percent-ish of accuracy", None),
        ("accuracy differs by more than 6% between the groups", None),
    ],
)
def test_accuracy_budget_forms(text, budget):
    got = accuracy_budget(text)
    assert (got[0] if got else None) == pytest.approx(budget) if budget else got is None


def test_uncertain_constraints_are_reported_not_dropped_nor_binding(fake_recommender):
    c = Constraints()
    apply_findings(
        c,
        {
            "retraining": reader.Finding("forbidden", UNDERSTOOD - 0.1, "it is kind of fixed"),
            "scope": reader.Finding("pre_processing", UNDERSTOOD - 0.1, "mostly the data"),
            "task": reader.Finding("ranking", UNDERSTOOD + 0.1, "we rank items"),
        },
    )
    assert c.retraining_allowed is None  # uncertain: reported, never a hard constraint
    assert c.stages is None and c.preferred_stages == [Stage.PRE_PROCESSING]  # permissive: only a preference
    assert c.task == TaskType.RANKING
    flags = {u.field: (u.flag, u.applied) for u in c.uncertain}
    assert flags == {
        "retraining_allowed": ("--no-retraining", False),
        "stages": ("--stage pre_processing", False),
    }
    lines = c.uncertain_lines()
    assert lines[0].startswith("uncertain: cannot retrain? (from: 'it is kind of fixed'")
    assert "--no-retraining" in lines[0] and "marked and ranked lower" in lines[0]
    assert [line for line in c.understood() if "retrain" in line] == []  # shown once, as uncertain
    # techniques that would break the uncertain reading are marked, and rank below those that would not
    res = fake_recommender.recommend("rank items fairly", constraints=c, top=20)
    marked = [r for r in res.recommendations if r.technique.needs_retraining]
    assert all(
        any("uncertain reading 'cannot retrain'" in x and "--no-retraining" in x for x in r.soft_conflicts)
        for r in marked
    )
    assert not any(
        "uncertain" in x
        for r in res.recommendations
        if not r.technique.needs_retraining
        for x in r.soft_conflicts
    )
    settled = merge_flags(c, retraining=True)
    assert settled.retraining_allowed is True and [u.field for u in settled.uncertain] == ["stages"]
    d = settled.to_dict()
    assert d["retraining_allowed"] == {"value": True, "source": "flag", "confidence": 1.0}
    assert d["task"]["source"] == "text" and d["task"]["evidence"] == "we rank items"
    assert all(set(v) >= {"value", "source", "confidence"} for v in d.values())
    json.dumps(d)


def _reading(value, conf, pos, **cues):
    from fairmend.recommender.combine import Reading

    flags = {"believed": False, "reversal": False, "prevails": False, "concedes": False} | cues
    return Reading(value, conf, f"clause {pos}", pos, **flags)


def test_combining_withdrawals_concessions_and_close_calls():
    from fairmend.recommender.combine import elliptical, settle

    # a belief withdrawn by a later statement; a concession gives way to the main clause
    assert (
        settle([_reading("forbidden", 0.9, 0, believed=True), _reading("allowed", 0.7, 1)]).value == "allowed"
    )
    assert (
        settle([_reading("forbidden", 0.9, 0, concedes=True), _reading("allowed", 0.7, 1)]).value == "allowed"
    )
    assert (
        settle([_reading("allowed", 0.7, 0), _reading("forbidden", 0.9, 1, concedes=True)]).value == "allowed"
    )
    # "..., but ..." overrides only when the clause after "but" is read confidently
    assert (
        settle([_reading("forbidden", 1.0, 0), _reading("allowed", 0.9, 1, prevails=True)]).value == "allowed"
    )
    weak = settle([_reading("forbidden", 1.0, 0), _reading("allowed", 0.63, 1, prevails=True)])
    assert weak.value == "forbidden" and weak.confidence == pytest.approx(1.0 - 0.315)
    # no discourse cue: the surer reading wins with its margin only, so a close call becomes uncertain
    close = settle([_reading("forbidden", 0.7, 0), _reading("allowed", 0.72, 1)])
    assert close.value == "allowed" and close.confidence < UNDERSTOOD
    noise = settle([_reading("allowed", 0.58, 0), _reading("forbidden", 0.84, 1)])  # a weak rival is noise
    assert noise.value == "forbidden" and noise.confidence == pytest.approx(0.84)
    assert elliptical("it is not") and elliptical("actually we can") and not elliptical("the model is locked")
    # a reversal cue that closes the clause leaves it its own content
    assert not elliptical("so we may refit the scorer after all") and elliptical("after all, we may")


def test_a_reversal_that_says_what_it_means_is_read_not_flipped():
    """When a withdrawing clause ("actually we can retrain") is itself read confidently, its own reading
    stands, whatever the classifier made of the statement before it."""
    from fairmend.recommender.combine import combine

    class Unit:
        def __init__(self, text, value, conf):
            self.text, self.marker, self._best = text, "", (value, conf)

        def best(self, dim):
            return self._best if dim == "retraining" else ("none", 1.0)

    dims = {"retraining": ("none", "forbidden", "allowed")}
    misread = Unit("at first we were told the model was locked", "allowed", 0.56)
    found = combine([misread, Unit("actually we can retrain", "allowed", 0.97)], [], dims, floor=0.45)
    assert found["retraining"].value == "allowed"
    weak = combine(
        [Unit("we could not retrain", "forbidden", 0.9), Unit("actually we can", "none", 0.5)],
        [],
        dims,
        floor=0.45,
    )
    assert weak["retraining"].value == "allowed"  # a reversal with nothing of its own flips what came before


@pytest.mark.parametrize(
    "text, value",
    [
        ("We were told the model was frozen. It is not; we can retrain it.", True),
        ("Although nobody here has retrained a model like this before, retraining is allowed.", True),
        ("Retraining is not a problem for us.", True),
        # a statement set aside as obsolete, or to be ignored, gives way to what follows it
        (
            (
                "Please disregard the line saying the churn model is frozen; that came from an old template. We "
                "are free to refit it."
            ),
            True,
        ),
        (
            "The note that the claims model is frozen until the audit is obsolete. Retraining has been approved.",
            True,
        ),
        (
            "The scorer cannot be retrained, and that is final, but we can change how scores become decisions.",
            False,
        ),
    ],
)
def test_withdrawn_conceded_and_negated_negatives(text, value):
    assert parse_text(text).retraining_allowed is value


def test_reader_on_the_training_situations():
    """situations.yaml is training data: the reader must keep most of it right (a regression guard)."""
    import sys
    from pathlib import Path

    import yaml

    sys.path.insert(0, str(Path(__file__).parent))
    from quality import evaluate_reader

    items = yaml.safe_load(reader.SITUATIONS_FILE.read_text())["items"]
    per_type = evaluate_reader(items, parse_text)["per_type"]
    for kind in ("retraining", "protected_at_inference"):
        assert per_type[kind]["precision"] >= 0.75 and per_type[kind]["recall"] >= 0.75, (
            kind,
            per_type[kind],
        )


def test_no_intervention_excludes_every_intervention(fake_recommender):
    c = merge_flags(parse_text("approval rates by group"), intervention=False)
    res = fake_recommender.recommend("approval rates by group", constraints=c, top=10)
    assert res.recommendations and all(
        r.technique.stage in {Stage.EVALUATION, Stage.CAUSAL, Stage.MONITORING, Stage.DOCUMENTATION}
        for r in res.recommendations
    )
    reasons = dict(res.excluded)
    assert "nothing may be changed" in reasons["reweighing_kamiran_calders"]


def test_shipped_reader_model_and_index_are_fresh():
    """Run `python -m fairmend.recommender.build` after editing the exemplars or a technique's text."""
    from fairmend.recommender.build import stale

    assert stale() == []


def test_shipped_index_means_nothing_is_embedded_on_a_fresh_install(tmp_path, catalog_techniques):
    from fairmend.recommender.build import builtin_techniques
    from fairmend.recommender.embedding import MiniLMEmbedder
    from fairmend.recommender.index import load_or_build

    class NoEncode(MiniLMEmbedder):
        def encode(self, texts):
            raise AssertionError(f"embedded {len(texts)} texts")

    builtins = builtin_techniques()
    index = load_or_build(builtins, NoEncode(), directory=tmp_path)  # empty cache
    assert index.embedded == 0 and sorted(set(index.owners.tolist())) == list(range(len(builtins)))
    assert not any(tmp_path.iterdir())
    norms = np.linalg.norm(index.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_goal_text_leaves_out_permissions_and_prohibitions():
    c = parse_text("The vendor model cannot be retrained. We want equal approval rates for women and men.")
    assert c.retraining_allowed is False
    assert "retrain" not in c.goal_text and "equal approval rates" in c.goal_text
    assert "goal_text" not in c.to_dict()


@pytest.mark.parametrize(
    "text, value",
    [
        # a schedule reports an event, not a permission (the labelling rule of every validation corpus)
        ("Our analysts refit the default model at the start of each quarter.", None),
        ("The fraud scorer is rebuilt from fresh chargeback data every Sunday night.", None),
        # ... while a schedule the team is free to set is one
        ("We may refit the default model whenever it suits the business.", True),
        # a request to fix the model grants nothing either
        ("Please help us make the tenancy screening model less harsh on single parents.", None),
    ],
)
def test_schedules_and_requests_are_no_permission(text, value):
    assert parse_text(text).retraining_allowed is value


@pytest.mark.parametrize(
    "text, value",
    [
        # each of these reads as a permission when the contraction is taken for a word of its own
        ("we dont have permission to retrain the model", False),
        ("retraining wont be approved by the regulator", False),
        ("we couldnt retrain it even if we wanted to", False),
    ],
)
def test_contractions_without_apostrophe_keep_their_negation(text, value):
    assert (
        reader.repair("we cant, it isnt, they wont; cannot; want")
        == "we can't, it isn't, they won't; cannot; want"
    )
    assert parse_text(text).retraining_allowed is value


@pytest.mark.parametrize(
    "text, task",
    [
        # a task is read only when the text names something of its kind ...
        ("Our model estimates the repair bill in pounds for each insurance claim.", TaskType.REGRESSION),
        ("The marketplace sorts sellers' offers and women-owned shops sit at the bottom.", TaskType.RANKING),
        ("We split patients into care segments with k-means; no outcome labels exist.", TaskType.CLUSTERING),
        ("It puts every complaint into one of six severity classes.", TaskType.MULTICLASS_CLASSIFICATION),
        # ... never from numbers, shares or cross-tabulations that only sound like one
        ("Does our shortlisting tool satisfy the four-fifths rule for older applicants?", None),
        ("A predicted 30% risk does not come true 30% of the time for Black patients.", None),
        ("Please break the error rates down by race crossed with sex.", None),
        ("How much of the gender gap in promotions comes through tenure?", None),
    ],
)
def test_a_task_needs_a_word_of_its_kind(text, task):
    assert parse_text(text).task == task


@pytest.mark.parametrize(
    "text, stages, preferred",
    [
        # a limit on the work, or the one kind of work asked for, is a stage restriction ...
        ("We may only reweight the training rows.", [Stage.PRE_PROCESSING], None),
        ("Our remit is the decision threshold and nothing upstream of it.", [Stage.POST_PROCESSING], None),
        ("Recalibrate the risk scores separately for each group.", [Stage.POST_PROCESSING], None),
        # ... a proposal relayed or a change reported is a preference at most ...
        ("A consultant suggested per-group cut-offs on the score.", None, None),
        ("The cut-off was lowered in spring to let more applicants through.", None, None),
        # ... and a restriction wished for and then opened up is withdrawn, named outright or not, by
        # words that open every stage or by the permission to retrain the text ends on
        (
            (
                "Initially I only wanted in-processing changes for the admissions model, but we have now been "
                "told any stage is fine."
            ),
            None,
            None,
        ),
        (
            (
                "We were told to leave the model alone and only move thresholds, but that was during the pilot; "
                "refitting is allowed now."
            ),
            None,
            None,
        ),
        (
            (
                "We first wanted to change the training data only, but it turns out any stage is fine for the "
                "product owner."
            ),
            None,
            None,
        ),
    ],
)
def test_a_stage_is_hard_only_when_it_limits_or_is_asked_for(text, stages, preferred):
    c = parse_text(text)
    assert c.stages == stages
    if preferred is not None:
        assert preferred in c.preferred_stages


@pytest.mark.parametrize(
    "text, available",
    [
        ("We have never recorded the customers' religion.", False),
        ("Nobody asks applicants for their ethnicity, so we do not have it.", False),
        # an absence of something other than a protected attribute says nothing about one
        ("There are no outcome labels for these customer segments.", None),
        ("We have no access to the weights and no way to fine-tune.", None),
    ],
)
def test_not_collected_needs_an_absent_protected_attribute(text, available):
    c = parse_text(text)
    assert c.protected_available is available
    if available is None:
        assert not [u for u in c.uncertain if u.field == "protected_available"]


@pytest.mark.parametrize(
    "text, field, value",
    [
        # the phrasings issue 14 names: each must come out as stated there
        ("the model belongs to a supplier and is locked", "retraining_allowed", False),
        (
            "re-fitting it would need a new audit by the regulator, which takes a year",
            "retraining_allowed",
            False,
        ),
        ("we only ever see the probability it emits", "retraining_allowed", False),
        (
            "the scoring service is never told the applicant's religion",
            "protected_at_inference_allowed",
            False,
        ),
        (
            "the protected attribute is collected for monitoring, not for decisions",
            "protected_at_inference_allowed",
            False,
        ),
        ("by law it cannot enter the decision", "protected_at_inference_allowed", False),
        ("we may only change the table we hand to the training team", "stages", [Stage.PRE_PROCESSING]),
        ("the data and the model are frozen; we can publish an analysis", "intervention_allowed", False),
        ("fairness has to come from the learning algorithm itself", "stages", [Stage.IN_PROCESSING]),
        ("can't retrain and can't use race", "retraining_allowed", False),
        ("can't retrain and can't use race", "protected_at_inference_allowed", False),
        ("we thought we couldn't retrain, but actually we can", "retraining_allowed", True),
        ("lose at most 2 points", "max_accuracy_loss", 0.02),
        ("accuracy loss under 2%", "max_accuracy_loss", 0.02),
        ("no more than 0.02 AUC", "max_accuracy_loss", 0.02),
    ],
)
def test_the_issues_own_phrasings(text, field, value):
    assert getattr(parse_text(text), field) == value


@pytest.mark.parametrize(
    "text, wrong",
    [
        # an intention to retrain forbids nothing, whatever else the clause resembles
        ("We plan to refit the scorecard with a constraint that keeps approvals independent of age.", False),
        # a wish cut short by "but" grants nothing ...
        ("We'd love to retrain, but the labels were purged, so that can't happen.", True),
        # ... and a sentence read whole settles what its halves leave open
        ("we wanted to retrain but the vendor forbids it", True),
        # a belief is read for what it states, then withdrawn ("we thought that ...")
        ("Earlier we thought that the model could not be retrained; actually it can.", False),
    ],
)
def test_wishes_intentions_and_beliefs_about_retraining(text, wrong):
    assert parse_text(text).retraining_allowed is not wrong


@pytest.mark.parametrize(
    "text",
    [
        "The vendor model is locked and we can lose at most half a point of AUC; approvals for women lag.",
        "Our supplier's scorer is sealed. Loan approvals for older applicants trail everyone else's.",
    ],
)
def test_a_scope_needs_a_word_of_its_kind(text):
    """A stage or 'only measure' reading is applied only when the text names work of that kind (SCOPE_CUES)."""
    c = parse_text(text)
    assert c.retraining_allowed is False
    assert c.stages is None and c.intervention_allowed is not False
    assert not [u for u in c.uncertain if u.field in ("stages", "intervention_allowed")]


@pytest.mark.parametrize(
    "text, no_intervention",
    [
        ("Is the age gap in our claim denials real? We want an answer, not a fix.", True),
        ("Give us per-group error rates for the board. Mitigation is outside our remit.", True),
        ("We are not changing anything: the deliverable is a breakdown of false positives by region.", True),
        ("We tried reweighing, but no fix has worked so far. What else is there?", False),
        ("There is no quick fix for the approval gap, so we will retrain with a fairness constraint.", False),
        ("There is no quick fix for the gap in approvals between nationalities.", False),
        ("Remedying it is another team's responsibility; we report the gap by caste.", True),
        ("I want to quantify the gap rather than fix it for now.", True),
        ("We want to measure, not intervene: how big is the age gap in offers?", True),
        ("Strictly exploratory: where do the denial rates for veterans diverge?", True),
        ("The assessment only covers approvals, so please reduce the gap there.", False),
    ],
)
def test_a_request_that_rules_out_fixing(text, no_intervention):
    """Words that say nothing will be fixed make the request measure-only (cues.NO_FIX); a fix that failed
    or a fix that is not quick does not."""
    assert (parse_text(text).intervention_allowed is False) is no_intervention


@pytest.mark.parametrize(
    "text, field, value",
    [
        (
            "Refit: not an option (supplier contract).\nMetric: equal opportunity across ages.",
            "retraining_allowed",
            False,
        ),
        ("Model: locked.\nContext: a tenancy screen.\nAsk: which fix?", "retraining_allowed", False),
        ("Refit: fine by us.\nNationality at scoring time: not allowed.", "retraining_allowed", True),
        (
            "Refit: fine by us.\nNationality at scoring time: not allowed.",
            "protected_at_inference_allowed",
            False,
        ),
    ],
)
def test_a_label_and_its_short_value_are_one_statement(text, field, value):
    """A colon after a short label joins it to a short value: "not an option" read alone says nothing
    about what is not an option, and the label read alone ("Refit") is no permission."""
    assert getattr(parse_text(text), field) is value
    assert reader.split_sentences("Refit: not an option (supplier contract)") == [
        "Refit: not an option (supplier contract)"
    ]
    # a longer value is a statement of its own; an announcing label ("Ask:") is not its subject
    assert reader.split_sentences("Two notes: we may use the data we hold and nothing else") == [
        "Two notes",
        "we may use the data we hold and nothing else",
    ]
    assert reader.split_sentences("Ask: what should we do?") == ["Ask", "what should we do"]


def test_a_sentence_ends_after_a_closing_quote_when_another_begins():
    """A quoted sentence is a statement of its own: what follows it is not read as part of the quote (the
    budget quoted from the VP does not make "owns and retrains" a prohibition), while a quote inside a
    sentence ("asking me 'can we retrain?' and I said") does not end it, and a quoted question still asks."""
    text = "From the VP: 'We will not lose more than 1 percent of accuracy.' The fraud team owns and retrains the model."
    assert reader.split_sentences(text) == [
        "From the VP",
        "'We will not lose more than 1 percent of accuracy.'",
        "The fraud team owns and retrains the model",
    ]
    c = parse_text(text)
    assert c.max_accuracy_loss == pytest.approx(0.01) and c.retraining_allowed is not False
    assert (
        len(reader.split_sentences("They keep asking me 'can you retrain it?' and I say I do not know")) == 1
    )
    assert reader.marked_sentences("Legal asked: 'can we use age at decision time?'")[-1][1] is True


def test_actually_as_an_adverb_withdraws_nothing():
    """ "what actually happens" describes outcomes; it does not withdraw the freeze stated before it."""
    text = "The scorer is frozen. Its risk estimates run higher for older tenants than what actually happens."
    assert parse_text(text).retraining_allowed is False


@pytest.mark.parametrize(
    "text, task",
    [
        (
            "The tutor model awards grades A to F and pupils on free meals get fewer As.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        # seven queues a classifier routes to are seven classes (the labelling rules: more than two classes)
        (
            "Each caller is routed to one of seven support queues by a classifier.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        (
            "The triage net is a 5-class model and older patients are under-triaged.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        ("It predicts A-D grades for each essay.", TaskType.MULTICLASS_CLASSIFICATION),
        ("Suppliers are put in tier A, B or C by the scorer.", TaskType.MULTICLASS_CLASSIFICATION),
        ("It outputs probabilities over five diagnoses per scan.", TaskType.MULTICLASS_CLASSIFICATION),
        ("Unsupervised segmentation of shoppers drives the coupons.", TaskType.CLUSTERING),
        (
            "Our router puts every claim into one of four handling categories.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        ("We split applicants into four age bands for reporting.", None),
        ("The price regressor underestimates homes in Black neighbourhoods.", TaskType.REGRESSION),
        ("A logistic regression approves or declines each loan.", None),
        # a model assigning one of several labels, whatever they are called; labels written out
        ("Our pager bot assigns each alert one of eleven owners' rotas.", TaskType.MULTICLASS_CLASSIFICATION),
        (
            "The vision model labels each X-ray as normal / benign / malignant.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        ("Outputs are drawn from {hire, hold, reject, refer}.", TaskType.MULTICLASS_CLASSIFICATION),
        (
            "Sentiment classifier, 5 stars. Reviews by older users skew low.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        (
            "It routes each form to one of 14 desks; forms in Welsh wait longer.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        # an amount predicted is a regression
        ("It predicts each driver's weekly earnings, lower for women.", TaskType.REGRESSION),
        ("Our rent estimator quotes less for landlords in Black areas.", TaskType.REGRESSION),
        # splits of data, people or time, attributes listed with slashes, a probability: no task
        ("We put the applicants into three cohorts by start date.", None),
        ("Results are broken down by race / gender / age band.", None),
        ("It predicts the probability of default for each loan.", None),
        ("The screener outputs pass/fail for every candidate.", None),
    ],
)
def test_a_named_set_of_classes_or_a_regressor_names_the_task(text, task):
    assert parse_text(text).task == task


@pytest.mark.parametrize(
    "text, intent",
    [
        ("Our last audit found that the tenancy screen rejects Roma applicants twice as often.", None),
        ("Religion is held for auditing purposes only. Approvals differ a lot by religion.", None),
        ("The fall-risk alert fires less often for women who then fall. Fix suggestions?", None),
        ("The redesign needs a fresh conformity assessment first; loans to older people lag.", None),
        ("Please audit the promotion model for gaps between ethnic groups.", "audit"),
        ("Alert us when the gap between age groups starts to widen.", "monitor"),
    ],
)
def test_mentions_that_describe_ask_for_no_audit_or_monitoring(text, intent):
    """Audits already done, the purpose an attribute is held for, a product that is an alert: they describe
    the situation (cues.DESCRIBED), so the goal stays a fix; a request for that work still reads as one."""
    c = parse_text(text)
    assert (c.intent if c.intent in ("audit", "monitor", "document", "causal") else None) == intent
    assert c.intervention_allowed is not False or intent == "audit"


def test_a_purpose_an_attribute_is_held_for_is_no_documentation_scope():
    c = parse_text(
        "Nationality is stored for the diversity report only and never reaches the pricing engine."
    )
    assert c.stages is None and c.protected_at_inference_allowed is False


@pytest.mark.parametrize(
    "text, criterion",
    [
        (
            "Two loan files that match on every relevant point should be scored alike.",
            Criterion.INDIVIDUAL_FAIRNESS,
        ),
        (
            "Similar transcripts ought to get similar grades, whoever wrote them.",
            Criterion.INDIVIDUAL_FAIRNESS,
        ),
        (
            "The outcome should not have changed had the tenant's ethnicity been different.",
            Criterion.COUNTERFACTUAL_FAIRNESS,
        ),
        ("The estimated risks run too high for disabled claimants.", Criterion.CALIBRATION),
        ("Its probabilities are overconfident for younger drivers.", Criterion.CALIBRATION),
        ("We want the same precision for every region.", Criterion.PREDICTIVE_PARITY),
        ("The remediation plan is due on Friday.", None),
        # the errors named in plain words: missed positives, deserving people turned down, false flags
        ("The scan reader misses far more tumours in older men.", Criterion.EQUAL_OPPORTUNITY),
        (
            "Applicants who would pay back are declined more often if they are Roma.",
            Criterion.EQUAL_OPPORTUNITY,
        ),
        ("Good borrowers from rural areas get declined twice as often.", Criterion.EQUAL_OPPORTUNITY),
        ("Voice login has more false rejects for deaf speakers.", Criterion.EQUAL_OPPORTUNITY),
        (
            "Drivers who never cheat are flagged for fraud more if they are migrants.",
            Criterion.PREDICTIVE_EQUALITY,
        ),
        ("There are many more false alarms for Traveller families.", Criterion.PREDICTIVE_EQUALITY),
        (
            "The model systematically overestimates the default risk of young borrowers.",
            Criterion.CALIBRATION,
        ),
    ],
)
def test_criteria_named_in_plain_words(text, criterion):
    found = parse_text(text).criteria
    assert (criterion in found) if criterion else Criterion.COUNTERFACTUAL_FAIRNESS not in found


@pytest.mark.parametrize(
    "text, measure_only",
    [
        ("Find out whether the screening tool disfavours older nurses and, if it does, fix it.", False),
        ("Is the gap in loan offers by caste real? What should we do about it?", False),
        ("How big is the gap in loan offers by caste? Report it; we will not fix it.", True),
        ("Quantify the gap in offers by caste rather than fix it.", True),
    ],
)
def test_a_request_for_a_fix_is_not_measure_only(text, measure_only):
    """A text that asks for a fix (cues.ASKS_FOR_FIX) is not read as measure-only, unless it also rules
    fixing out (cues.NO_FIX)."""
    assert (parse_text(text).intervention_allowed is False) is measure_only


def retraining_from_text(c):
    """The retraining permission the text itself settled (``None``: not read from the text)."""
    return from_text(c, "retraining_allowed")


@pytest.mark.parametrize(
    "text, retraining",
    [
        # a yes/no question states no permission; its answer does
        ("Could we refit the model with sample weights? Offers lag for Spanish speakers.", None),
        ("Is a refit possible? No, the supplier owns it.", False),
        ("Are we free to retrain? Yes - the code is ours now.", True),
        ("Q: Can we refit it? A: Yes, the owner agreed.", True),
        # a question reported in a statement, answered later, also after a clause that states nothing
        (
            "We weren't sure whether a refit was on the cards. I checked with the platform lead; she says we can.",
            True,
        ),
        ("Nobody knew if we could retrain the scorer. Legal replied that we can not.", False),
        ("We don't know whether legal will let us retrain.", None),
        # a question reported inside a statement states nothing
        ("We are still waiting to hear whether legal lets us retrain the model.", None),
        # a prohibition inside a question stands; a topic asked and answered at once is one statement
        ("Can we do anything if the vendor model can't be retrained?", False),
        ("Model refit? Out of the question, the regulator signed this version.", False),
    ],
)
def test_questions_ask_and_answers_state(text, retraining):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining


def test_a_question_about_the_attribute_grants_no_use():
    c = parse_text("Could we use religion at decision time? Nobody has told us yet.")
    assert (
        c.sources.get("protected_at_inference_allowed") != "text"
        or c.protected_at_inference_allowed is not True
    )


@pytest.mark.parametrize(
    "text, polarity",
    [
        ("Refits are banned", "forbidden"),
        ("Changing the scorer is not permitted", "forbidden"),
        ("Nobody may alter the weights", "forbidden"),
        ("We can't rebuild it", "forbidden"),
        ("It isn't impossible for us to refit", "allowed"),
        ("Refitting is something we aren't barred from", "allowed"),
        ("The scorer is frozen", "forbidden"),
        ("It is not locked", "allowed"),
        ("We can neither rebuild it nor touch the data", "forbidden"),
        # access speaks of the attribute at decision time
        ("The scorer never sees religion", "forbidden"),
        ("The ranking service does receive gender", "allowed"),
        ("We lost the data and a refit is impossible", "forbidden"),
        # a modal helping a verb of access is no predicate of its own; access to something else reads nothing
        ("The pricing service cannot see disability", "forbidden"),
        ("The underwriters can not see inside the scorer", "none"),
        # not plain: two predicates, a restriction, a condition, several clauses
        ("We can refit but may not use sex", None),
        ("We can only adjust the threshold", None),
        ("Refitting is possible if the board agrees", None),
        ("Sex is banned, age is fine", None),
    ],
)
def test_a_plain_statement_forbids_or_permits_by_rule(text, polarity):
    from fairmend.recommender.polarity import stated_polarity

    ruled = stated_polarity(text)
    assert (ruled[0] if ruled else None) == polarity


@pytest.mark.parametrize(
    "text, retraining",
    [
        # the shipped classifiers alone read these as permissions
        ("Refitting the scorer is forbidden.", False),
        ("Retraining is not allowed for this product.", False),
        ("I would not say we are unable to refit it.", True),
        # a guess is reported as uncertain, never applied; "may not" is a prohibition, not a guess
        ("We might not be able to refit it before launch.", None),
        ("We may not refit the scorer.", False),
        # someone vouching for a statement does not reverse it
        ("The scorer can be refitted; the owner confirmed it today.", True),
        ("We may refit it now; that has been cleared with compliance.", True),
        # a rule of an old regime is a withdrawn one
        ("Refits were forbidden under the old contract; under the new one they are permitted.", True),
    ],
)
def test_plain_prohibitions_guesses_and_confirmations(text, retraining):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining
    if retraining is None:
        assert any(u.field == "retraining_allowed" for u in c.uncertain)


@pytest.mark.parametrize(
    "text, retraining",
    [
        # nothing may change, the model included: no retraining either
        ("A change freeze covers the scoring platform until June; please measure the age gap.", False),
        ("Nothing about the scorer may be updated. Report the gap by region.", False),
        ("We have no way to alter it. How unequal are its error rates?", False),
        ("No changes to the model until the audit closes, but show us the gap.", False),
        # a scoping of the request, or a guess, is no constraint
        ("No remediation requested; we only want the numbers.", None),
        ("There could be a change freeze later, we will see. Approval rates differ by sex.", None),
    ],
)
def test_a_statement_that_nothing_may_change_rules_out_retraining(text, retraining):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining


@pytest.mark.parametrize(
    "text, intervention",
    [
        # nothing may change and only measuring, explaining or documenting is asked for
        (
            "A legal hold means the scorer can't be altered. Counsel needs the false positive gap by race measured.",
            False,
        ),
        (
            "We're forbidden from modifying the pricing engine; please assess whether quotes differ by age.",
            False,
        ),
        # a fix asked for, or a problem in a frozen system with no request to measure, is not measure-only
        ("We have no way to change the scorer; which method do you recommend to close the gap?", None),
        ("We can't change anything in the app in production. Women are matched less often.", None),
        # a request for evidence or analysis in other words
        (
            (
                "The allocation engine sits under a regulatory hold. The ombudsman wants evidence on whether "
                "waiting times differ by disability."
            ),
            False,
        ),
        (
            "Nothing in the tariff model may be altered. What can we still learn about the gap by region?",
            False,
        ),
    ],
)
def test_nothing_may_change_and_only_measuring_asked_is_no_intervention(text, intervention):
    c = parse_text(text)
    assert from_text(c, "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, retraining",
    [
        # what someone said stands unless withdrawn; a belief left alone reads as withdrawn
        ("Compliance told us the scorer must not be refitted.", False),
        ("We assumed the scorer could not be refitted.", True),
        ("We were told the scorer could not be refitted, but that was a mistake.", True),
    ],
)
def test_a_reported_rule_stands_and_a_belief_is_withdrawn(text, retraining):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining


@pytest.mark.parametrize(
    "text, retraining, inference",
    [
        # a clause about the attribute says nothing about retraining, also when its subject was in the clause before
        ("Religion sits in the membership database and is never passed to the pricing engine.", None, False),
        ("Caste is recorded by the ministry and never reaches the bursary algorithm.", None, False),
        # a clause that names the model's making keeps its retraining reading
        ("The pricing engine is locked and never receives religion.", False, False),
    ],
)
def test_a_clause_about_the_attribute_is_not_about_retraining(text, retraining, inference):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining
    assert from_text(c, "protected_at_inference_allowed") is inference


@pytest.mark.parametrize(
    "text, retraining",
    [
        # a supposition grants nothing
        ("If retraining were an option we would take it, but the weights are burned into the device.", False),
        ("Suppose we were permitted to refit the scorer. Which method would you pick?", None),
        ("Imagine we could rebuild the ranker from scratch; what would fair exposure need?", None),
        # a subject and its modal cut off by an aside are read with what follows
        ("The vendor scorer stays as delivered. We can, however, move the cutoffs.", False),
    ],
)
def test_suppositions_grant_nothing(text, retraining):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining


@pytest.mark.parametrize(
    "text, intervention",
    [
        # a request that says no change is asked for, after a question too
        ("Do offers differ by age band? No mitigation is being requested.", False),
        ("No model changes are requested; we need the approval gap by sex with an interval.", False),
        ("Review only for the tenancy model: do refusals differ by nationality?", False),
        # "X only" with a kind of work named is that kind of work, not "no intervention"
        ("Causal analysis only: how much of the gap runs through postcode?", None),
    ],
)
def test_a_request_that_asks_for_no_change(text, intervention):
    c = parse_text(text)
    assert from_text(c, "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, stage",
    [
        # a part said to stay as it is restricts the work to the part left open, not to itself
        (
            "The features and the cut-offs are off limits. Only the training objective may change.",
            "in_processing",
        ),
        ("The decision thresholds stay as configured; we rework the training table only.", "pre_processing"),
    ],
)
def test_a_part_kept_as_it_is_is_not_the_stage(text, stage):
    c = parse_text(text)
    assert [s.value for s in c.stages] == [stage]


@pytest.mark.parametrize(
    "text, retraining",
    [
        # the user's own choice not to change the model is no prohibition
        ("I'm not planning to alter the churn model; I only want to understand the gap by age.", None),
        ("We'd rather not rebuild the ranker this quarter. Exposure for women-led shops is low.", None),
        # a choice with a rule or an owner behind it is one
        ("We are not permitted to refit the ranker.", False),
    ],
)
def test_a_choice_not_to_change_is_no_prohibition(text, retraining):
    c = parse_text(text)
    assert retraining_from_text(c) is retraining


@pytest.mark.parametrize(
    "text, inference",
    [
        # access to something other than the attribute says nothing about using the attribute
        ("The underwriters can not see inside the scorer. Approvals lag for over-60s.", None),
        # unless the sentence before says the attribute is kept there
        ("Religion is kept in the archive. The decision service cannot access the archive.", False),
    ],
)
def test_access_to_something_else_is_not_about_the_attribute(text, inference):
    c = parse_text(text)
    assert from_text(c, "protected_at_inference_allowed") is inference


@pytest.mark.parametrize(
    "text, stages",
    [
        # documentation is the only work named and nothing else is asked for: the work is documentation
        (
            "We need a model card for the essay grader we're putting on GitHub; it marks ESL students lower.",
            ["documentation"],
        ),
        ("The ethics board would like a factsheet for the parole tool they can publish.", ["documentation"]),
        (
            "Produce a factsheet on the churn model covering accuracy by age band for the product review.",
            ["documentation"],
        ),
        # beside a fix it is one more deliverable, not a restriction of the work
        (
            "Hand the data team a checklist, and fix the essay grader so it stops marking ESL students down.",
            None,
        ),
        ("Help us reduce the gap in approvals for women, and document what we did for the file.", None),
    ],
)
def test_documentation_is_the_stage_only_when_it_is_the_only_work_asked_for(text, stages):
    c = parse_text(text)
    assert ([s.value for s in c.stages] if c.stages else None) == stages
    assert c.stages is not None or c.sources.get("stages") is None


@pytest.mark.parametrize(
    "text, no_intervention",
    [
        ("A new scorer may be trained as long as every change is documented.", None),
        ("A new scorer may be trained, but no changes are requested: only the gap figures.", False),
    ],
)
def test_a_text_that_lets_the_model_be_rebuilt_does_not_say_nothing_may_change(
    monkeypatch, text, no_intervention
):
    """When the clause classifier reads "no intervention" from a text that also grants retraining, the pair
    contradicts itself: only an explicit "no changes requested" keeps it; otherwise it is reported as
    uncertain, not applied."""
    findings = {
        "retraining": reader.Finding("allowed", 0.97, "A new scorer may be trained"),
        "scope": reader.Finding("no_intervention", 0.78, "as long as every change is documented"),
    }
    monkeypatch.setattr(reader, "read_parts", lambda *a, **k: (dict(findings), text))
    c = parse_text(text)
    assert c.retraining_allowed is True
    assert c.intervention_allowed is no_intervention
    if no_intervention is None:
        assert "intervention_allowed" not in c.sources
        assert [(u.field, u.applied) for u in c.uncertain] == [("intervention_allowed", False)]


@pytest.mark.parametrize(
    "text, retraining, at_inference",
    [
        # one negation over two verbs: each verb is read with it ("can't retrain and can't use race")
        ("We can neither refit the scorer nor use religion when deciding.", False, False),
        ("can't retrain it or give it the applicant's age", False, False),
        ("They won't rebuild the grader or show it the pupil's ethnicity.", False, False),
        # under "no", "or" joins two nouns: one prohibition
        ("No retraining or fine-tuning is possible for this scorer.", False, None),
    ],
)
def test_a_negation_shared_by_two_verbs_or_nouns_applies_to_each(text, retraining, at_inference):
    c = parse_text(text)
    assert (c.retraining_allowed, c.protected_at_inference_allowed) == (retraining, at_inference)


def test_a_negated_verb_sharing_its_object_is_left_whole():
    assert reader.distribute_negation("We can't see or store race.") == "We can't see or store race."
    assert reader.distribute_negation("we can neither see nor use it") == "we can neither see nor use it"


@pytest.mark.parametrize(
    "text, at_inference",
    [
        # outcome statements describe the problem; they state no rule about the attribute
        ("Our spam filter hides harmless comments that mention the words 'trans' or 'Jewish'. Ideas?", None),
        (
            "The admissions model looks fine on sex and on ethnicity; Black women are admitted at half the rate.",
            None,
        ),
        # rules in words of input, reach, blindness or holding are still read
        ("Religion is never an input to the pricing model.", False),
        ("The tool is blind to ethnicity.", False),
        ("Age never reaches the scorer.", False),
        ("We have no ethnicity data at all.", False),
        # terse notes: abbreviations written out before the classifiers read them, "usable" a predicate
        ("gender attr isn't usable in prod scoring; retrain fine.", False),
        ("caste attr unusable at prod decision time.", False),
        ("Age attr usable in prod; legal ok'd it.", True),
    ],
)
def test_outcome_statements_and_terse_notes_about_the_attribute(text, at_inference):
    """An outcome statement is no rule about the attribute (clause_rules._RULE_WORDS); a rule in a terse note is."""
    assert parse_text(text).protected_at_inference_allowed is at_inference


def test_abbreviations_are_written_out_only_as_whole_words():
    assert reader.repair("attr w/o prod acc") == "attribute without production accuracy"
    assert reader.repair("the attraction of production accounts") == "the attraction of production accounts"


def test_a_statement_written_out_for_each_verb_is_quoted_in_the_users_words():
    text = "We can neither refit the scorer nor use religion when deciding. Approvals lag for Sikhs."
    c = parse_text(text)
    assert c.retraining_allowed is False and c.protected_at_inference_allowed is False
    for name in ("retraining_allowed", "protected_at_inference_allowed"):
        assert c.evidence[name] == "We can neither refit the scorer nor use religion when deciding"


@pytest.mark.parametrize(
    "text",
    [
        (
            "The scorer is sealed by the certification body, so it stays as it is. What I owe the auditors is a "
            "datasheet describing its training data by age band."
        ),
        (
            "Our churn model has been frozen by the governance board and nobody will touch it; the only thing "
            "requested is a model card for the board pack."
        ),
        (
            "The lending model cannot be modified under the consent order. All I have to produce is a written "
            "account of its known limitations for the regulator."
        ),
    ],
)
def test_a_locked_model_and_a_document_as_the_only_deliverable_mean_no_intervention(text):
    """The model may not change and a document is all that is asked for: nothing may change (issue 14's
    labelling: no intervention, no retraining, documentation)."""
    c = parse_text(text)
    assert c.retraining_allowed is False
    assert c.stages == [Stage.DOCUMENTATION]
    assert c.intervention_allowed is False and c.sources["intervention_allowed"] == "text"


def test_a_document_beside_a_model_that_may_change_is_not_no_intervention():
    c = parse_text("We retrain the model every quarter. For now we only need a model card for the board.")
    assert c.intervention_allowed is not False


@pytest.mark.parametrize(
    "text, stage",
    [
        ("Purely a data-side job for us: the learner is someone else's.", Stage.PRE_PROCESSING),
        (
            (
                "Tenant screening, approvals for Black applicants run low. Changes are ours to make solely in "
                "the rows and weights of the training table."
            ),
            Stage.PRE_PROCESSING,
        ),
    ],
)
def test_an_unsure_stage_in_a_clause_that_limits_the_work_to_it_is_a_limit(text, stage):
    c = parse_text(text)
    assert c.stages == [stage] and c.sources["stages"] == "text"


def test_a_limited_stage_that_needs_retraining_is_not_applied_against_no_retraining():
    c = parse_text(
        "Tenant screening, approvals for Black applicants run low. The vendor retrains on whatever table "
        "we send, so our work is purely on that table."
    )
    # whatever the reader makes of retraining here, a training-time stage is never applied beside "cannot retrain"
    assert not (c.retraining_allowed is False and c.stages and Stage.PRE_PROCESSING in c.stages)


@pytest.mark.parametrize(
    "text",
    [
        "Ethnicity is stripped out before the request ever reaches the scoring engine.",
        "Our underwriting engine is kept ignorant of applicants' religion, by design and by law.",
        "The deployed scorer never gets to see the applicant's age.",
    ],
)
def test_a_clause_that_keeps_the_attribute_from_the_model_says_nothing_about_retraining(text):
    c = parse_text(text)
    assert c.protected_at_inference_allowed is False
    assert c.retraining_allowed is None


def test_a_clause_with_a_word_of_change_keeps_both_readings():
    c = parse_text("The vendor's model is frozen and never sees nationality.")
    assert c.retraining_allowed is False and c.protected_at_inference_allowed is False


@pytest.mark.parametrize(
    "text",
    [
        "Neither retraining nor using sex at decision time is allowed.",
        "Neither refitting the scorer nor feeding it ethnicity is an option for us.",
        "Under the contract, neither a refit nor the use of age when deciding would be permitted.",
    ],
)
def test_two_subjects_denied_one_predicate_are_each_denied(text):
    c = parse_text(text)
    assert c.retraining_allowed is False and c.protected_at_inference_allowed is False


@pytest.mark.parametrize(
    "text, retraining, at_inference",
    [
        ("Retraining? Not an option. Using gender at decision time? Also no.", False, False),
        ("Can we retrain? No. Can the scorer use age? Also yes, legal approved it.", False, True),
        ("Is age allowed in the decision? No. Can we refit the model? But yes.", True, False),
        ("Refitting the model? Out of the question.", False, None),
        ("Having been told we may use age at decision time, what threshold should we pick?", None, True),
    ],
)
def test_verbless_questions_and_their_answers(text, retraining, at_inference):
    c = parse_text(text)
    assert (c.retraining_allowed, c.protected_at_inference_allowed) == (retraining, at_inference)


@pytest.mark.parametrize(
    "text",
    [
        "It is not true that we cannot retrain; the vendor gave us the pipeline last week.",
        "It's not the case that we can't refit the model any more.",
    ],
)
def test_a_denied_denial_permits(text):
    c = parse_text(text)
    assert c.retraining_allowed is True
    assert c.evidence["retraining_allowed"] in text  # quoted in the user's words


def test_a_denied_denial_is_rewritten_only_whole():
    assert reader.distribute_negation("It is not true that we cannot retrain it.") == "we can retrain it."
    assert (
        reader.distribute_negation("It's true that we cannot retrain it.")
        == "It's true that we cannot retrain it."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Gender is firewalled from the decision engine.",
        "Marital status is withheld from the model that makes the final call.",
        "The classifier is agnostic to race; that is a legal requirement.",
    ],
)
def test_more_words_that_keep_the_attribute_out_of_the_decision(text):
    """Words of withholding are rule words (clause_rules._RULE_WORDS): the clause is read for the attribute."""
    assert parse_text(text).protected_at_inference_allowed is False


def test_a_fix_asked_for_with_a_word_before_the_gap_is_no_no_intervention():
    c = parse_text("We want to fix the approval gap but we do not know which stage to work on.")
    assert c.intervention_allowed is not False


def test_a_part_that_stays_as_it_is_is_not_the_stage_read_from_the_whole_sentence():
    c = parse_text(
        "We are free to change the training data, but the learner and the threshold stay exactly as they are."
    )
    assert not c.stages or c.stages == [Stage.PRE_PROCESSING]


@pytest.mark.parametrize(
    "text, stage",
    [
        (
            (
                "We have a dashboard that tracks approval rates by ethnicity every week. Recently the gap "
                "widened. How do we reduce it?"
            ),
            Stage.MONITORING,
        ),
    ],
)
def test_monitoring_or_causal_work_beside_a_fix_is_a_preference_not_the_stage(text, stage):
    c = parse_text(text)
    assert not c.stages
    assert stage in c.preferred_stages


@pytest.mark.parametrize(
    "text, task",
    [
        ("The classifier decides between approve, refer and decline.", TaskType.MULTICLASS_CLASSIFICATION),
        (
            "Our ID checker returns valid / doubtful / fake for each passport.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        (
            "The triage tool picks among self-care, GP visit, urgent care or emergency.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        ("The model decides between approving and declining.", None),
    ],
)
def test_three_or_more_outcomes_written_out_after_a_decision_or_an_output(text, task):
    assert parse_text(text).task == task


def test_a_weak_reversal_does_not_outrank_a_later_firm_statement():
    """A clause read as a reversal ("turns out ...") withdraws what came before it, but it holds off a later
    opposite statement only when it is itself read confidently: a weak reading of it is more likely the
    classifier's error ("Turns out the policy treats any refit as a new model ... So: no refit")."""
    from fairmend.recommender.combine import Reading, settle

    def reading(value: str, confidence: float, position: int, reversal: bool = False) -> Reading:
        return Reading(value, confidence, f"clause {position}", position, False, reversal, False, False)

    weak = [reading("allowed", 0.54, 0, reversal=True), reading("forbidden", 0.95, 1)]
    assert settle(weak).value == "forbidden"
    firm = [reading("allowed", 0.9, 0, reversal=True), reading("forbidden", 0.7, 1)]
    assert settle(firm).value == "allowed"
