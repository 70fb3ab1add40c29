"""The discourse cues :mod:`fairmend.recommender.combine` settles clause readings with, and the text
normalisation every reader module shares (:func:`normalise`).

Beliefs, reports and reversals ("we thought", "we were told", "actually"), hedges and wishes, suppositions,
statements about another party's model or an ended period, answers to yes/no questions, and the words that
keep a model as it is: each a regular expression over the normalised text, exact on purpose.
"""

from __future__ import annotations

import re

FLIP = {"forbidden": "allowed", "allowed": "forbidden"}

# "we used to" reports a past state; "it must not be used to decide", "race is never used to assign" is a
# passive, no belief
_BE = ("be", "been", "being", "is", "are", "was", "were", "get", "gets", "got", "isn't", "aren't", "wasn't")
_ADVERBS = ("", "only ", "never ", "not ", "also ", "still ", "just ", "always ", "mainly ", "solely ")
_USED_TO = "".join(f"(?<!{b} {a})" for b in _BE for a in _ADVERBS) + "used to"
# "cleared" as a clearance ("legal cleared it"), not as an attribute of a product ("an FDA-cleared device",
# "a cleared medical device"), which withdraws nothing.
_CLEARED = (
    r"(?<!-)cleared(?! (?:medical |diagnostic |class \w+ )?(?:device|devices|product|products|tool|tools"
    r"|software|system|systems|model|models|algorithm|algorithms)\b)"
)
# Cues of a statement that is being withdrawn, and of the clause that withdraws it.
BELIEF = re.compile(
    r"\b(thought|believed|assumed|" + _USED_TO + r"|originally|initially|at first|earlier|first said|"
    r"previously|were told|was told|told me|told us|supposedly|i said|we said|i wrote|we wrote|"
    r"had assumed|had said|it was said|in the past|ignore|disregard|obsolete|outdated|out of date|"
    r"superseded|no longer (?:applies|holds|stands|valid|true|accurate)"
    r"|(?:under|in|by) the (?:old|previous|former|earlier) (?:policy|rules?|regime|guidance|contract|setup|set-up))\b"
)
REVERSAL = re.compile(
    # "actually" after a relative pronoun is an adverb ("compared with what actually happens"), no withdrawal
    r"\b((?<!what )(?<!who )(?<!which )(?<!that )(?<!they )actually|in fact|turns out|turned out|scratch that|not anymore|not any more|no longer|"
    r"learned|learnt|found out|but now|now (?:we|it|they) (?:can|may|are|is)|after all|" + _CLEARED + r"|"
    r"was wrong|not true|correction|since then|since the|confirmed|luckily|fortunately|"
    r"(?:was|were|is) (?:a |an )?(?:misunderstanding|mistake|error|incorrect|inaccurate|misinformed)|"
    r"that is not so|it is not so)\b"
)
# Of the BELIEF cues, the ones that report what someone said (a rule passed on stands unless withdrawn), and
# the ones that frame a belief (left alone at the end of the text, it reads as withdrawn; see settle).
REPORTED = re.compile(
    r"\b(?:were told|was told|told me|told us|had been told|have been told|has told us|i said|we said|i wrote"
    r"|we wrote|had said|it was said)\b"
)
COGNITIVE = re.compile(
    r"\b(?:thought|believed|assumed|"
    + _USED_TO
    + r"|originally|initially|at first|supposedly|had assumed|in the past)\b"
)
# A clause that confirms what was just reported ("we were told it is locked, and that is right").
CONFIRM = re.compile(
    r"^(?:and |which )?(?:that|this|it|which) (?:is|was|remains|is still) (?:right|true|correct|the case|so)$"
    r"|^(?:and )?(?:that|this) (?:still )?(?:holds|stands)$|^(?:and )?(?:indeed|rightly so|correctly)$"
    # someone vouching for what was just said ("marketing confirmed it this morning"), no withdrawal
    r"|^(?:[a-z]+ ){1,3}(?:confirmed|verified|double-checked|checked) (?:it|this|that|so)\b(?: [a-z]+){0,3}$"
)
# A statement made as a guess or a possibility ("we might not be able to retrain", "we probably can't use race",
# "if the regulator asks we might have to freeze it"): reported as uncertain, never applied (confidence capped
# below FIRM). "may not" alone is a prohibition, not a guess.
HEDGE = re.compile(
    r"\b(?:might|probably|possibly|perhaps|maybe|may (?:have|need) to|may not be able|could end up|likely|unlikely"
    r"|not sure|unsure|there (?:could|may|might) be)\b"
)
HEDGED = 0.5
CONTRAST = frozenset({"but", "however", "yet"})
# kinds of work that change nothing: a later "no intervention" reading agrees with them
MEASURING_KINDS = frozenset({"causal", "monitoring", "documentation"})
# two readings of the attribute that agree it stays out of the decision (not held at all implies not used)
NOT_AT_DECISION = frozenset({"forbidden", "not_collected"})
# a clause that opens with a contrast of its own ("On the other hand we are free to rebuild it", "That said, ...")
CONTRAST_LEAD = re.compile(
    r"^(?:on the other hand|that said|having said that|that being said|even so|nevertheless|nonetheless"
    r"|by contrast|in contrast|conversely)\b"
)
# A wish ("we would love to retrain", "we wanted to refit it") followed by a contrast ("..., but the labels were
# purged") grants nothing: its permission reading is dropped.
WISH = re.compile(
    r"\b(?:would|should)\s+(?:love|like|prefer)\s+to\b|\bwish(?:ed)?\b|\b(?:wanted|hoped|planned|meant)\s+to\b"
    r"|\bideally\b"
)
# A supposition ("if we could retrain, we would", "suppose we were allowed to use age", "even if retraining
# were possible"): it grants nothing, whatever follows. A prohibition under a condition ("... if the model has
# to stay as validated") still stands.
SUPPOSITION = re.compile(
    r"^(?:(?:and|but|so|even|only)\s+)?(?:if|suppose|supposing|imagine|imagining|assuming|hypothetically"
    r"|in theory|in an ideal world|were we|had we|were it|if only)\b"
)
# A sentence that calls itself imagined ("Suppose we had to deploy without gender - just a thought experiment,
# nothing decided"): a supposition in it states no rule either way (one not so marked, "Suppose retraining were
# off the table: what would you recommend?", asks for advice under that rule and states it).
IMAGINED = re.compile(
    r"\bthought experiments?\b|\bhypothetical(?:ly)?\b|\bnothing (?:has been |is |was )?(?:decided|planned|agreed)\b"
    r"|\bjust (?:curious|wondering)\b|\bfor argument'?s? sake\b|\bfor the sake of argument\b"
)
# The writer turns from another model to the one they ask about ("the fraud team's model is off limits to them,
# but my question is about our own retention model", "I'm asking about its replacement", "that's not the model
# in question", "so leave that one alone"): what was said before is about that other model. THIS_ONE names the
# model asked about (what is said from there on counts); NOT_THIS_ONE says the model just described is not it
# (its own clause is about the other model too).
_MODEL_NOUN = (
    r"(?:model|system|scorer|classifier|tool|engine|one|replacement|successor|version|product)\b(?!'s| is\b)"
)
THIS_ONE = re.compile(
    r"\b(?:(?:my|our|the) question (?:here )?is|i(?:'m| am) (?:asking|writing|enquiring|inquiring)|we(?:'re| are)"
    r" (?:asking|writing|enquiring|inquiring))\s+(?:about|regarding|on)\s+(?:the |our |my |its |their |this )?"
    r"(?:own |other |new |current |[\w-]+ ){0,3}?"
    + _MODEL_NOUN
    # "my question is a different one: our own tenant score", "the one I'm working on is the fraud classifier"
    + r"|\b(?:my|our) (?:question|model|system|case) is a different one\b"
    r"|\bthe one (?:i|we)(?:'m|'re| am| are) (?:working on|asking about|responsible for)\b"
    # a clause that only names the writer's own model ("I work on the small-business card model", "I'm
    # working on the credit-line model") or says the one they own is another ("..., which I own, is a
    # separate model")
    r"|^(?:but |and |so |while |whereas )?(?:i|we)(?: work| am working|'m working| are working) on (?:the |our |my |a"
    r" |an )(?:[\w-]+ ){0,4}?(?:model|system|scorer|classifier|engine|version|product)$"
    r"|^(?:and |but )?(?:it |this one |mine |ours |which )?(?:is|are) (?:a |an )?(?:separate|different|distinct)"
    r" (?:model|system|scorer|classifier|one|version|product)$"
    # "(another team's model is frozen.) Ours is the small-business overdraft model"
    r"|^(?:but |and |so )?(?:ours|mine|our team's|my team's) (?:is|are) (?:the |a |an )(?:[\w-]+ ){0,4}?"
    r"(?:model|system|scorer|classifier|engine|version|product)$"
)
NOT_THIS_ONE = re.compile(
    r"\bnot (?:the (?:model|system|one|tool|scorer|classifier) )?(?:in question|(?:that |which |what )?"
    r"(?:i|we)(?:'m|'re| am| are) asking about)\b|\bleave that one (?:alone|aside|out)\b"
    # "the ban is for the visa-screening model, which is a different team's system"
    r"|\b(?:is|are) (?:a |an )?(?:different|separate|another|other) (?:team|department|company|unit|group|vendor"
    r"|organi[sz]ation|agency|business|division)(?:'s| is) (?:model|system|one|tool|product)\b"
    # a clause of its own after the other model's description: "(the supplier's scorer is sealed) - different
    # story"
    r"|^(?:but |and )?(?:that is |it is |this is )?(?:a )?(?:different|separate|another) (?:story|matter)$"
    # "(the fraud team's model is frozen), but that's their problem"
    r"|^(?:but |and )?(?:that is|it is|this is) (?:their|his|her|someone else's|somebody else's|another team's"
    r"|the (?:[\w-]+ )?team's) (?:problem|concern|issue|business|call|headache|lookout)\b"
)
# A rule of another party or place ("in France they can't even collect ethnicity, but we're in the UK and we do",
# "other lenders may not use age, but here ..."): said of them, then turned from with a contrast to the writer's
# own case; it binds others, not the writer. The clause must not speak of the writer ("they don't let us
# retrain, but we can set thresholds" is the writer's constraint).
# organisations beside the writer's own ("a competitor", "our sister company")
_PEERS = (
    r"(?:competitor|rival|sister company|parent company|peer|partner (?:bank|company|firm|insurer|lender|hospital"
    r"|university|agency|organi[sz]ation|retailer|airline))"
)
OTHER_PARTY = re.compile(
    r"\b(?:in (?!practice|general|theory|fact|short|turn|effect|reality|principle)[a-z]+ they"
    r"|other (?:banks|lenders|insurers|companies|firms|countries|teams|jurisdictions|states|employers)"
    r"|(?:a|our|one) " + _PEERS + r"|competitors"
    r"|in (?:most|many|some|other) (?:countries|jurisdictions|states|markets)"
    # another part of the organisation: "the EU branch has to keep nationality out of its scoring, but we're ..."
    r"|the (?:[\w-]+ ){1,2}(?:branch|subsidiary|affiliate|division))\b"
)
# a sentence about another organisation's model, led by it ("A competitor of ours got fined last year for using
# gender in its pricing decisions"): its rules are not the writer's, unless the writer joins in ("..., and so must
# we", "we are in the same position")
OTHER_SUBJECT = re.compile(
    r"^\W*(?:(?:a|one|our|another) " + _PEERS + r"|competitors|rivals"
    r"|other (?:banks|lenders|insurers|companies|firms|employers|teams))\b"
)
JOINS_IN = re.compile(r"\b(?:we|us|i|me)\b|\b(?:same|too|as well|also|neither|nor|likewise|similarly)\b")
# ... unless the writer sets themselves apart ("...; we're the Canadian team and work under different rules")
APART = re.compile(
    r"\b(?:different|other|separate|our own|local) (?:rules|regulations|laws|legislation|regime|jurisdiction)\b"
    r"|\bnot (?:bound|covered) by\b|\b(?:does(?: not|n't)|do(?: not|n't)) (?:apply to|cover|bind) (?:us|me)\b"
)
# the writer saying the rule just stated is not theirs: "... but that policy doesn't cover us"
NOT_OURS = re.compile(
    r"\b(?:does(?: not|n't)|do(?: not|n't)|won't|will not|never) (?:apply to|cover|bind|concern) (?:us|me|our)\b"
)
# ... or says so in a statement of its own, after the rule ("I read that a big bank is no longer allowed to use
# age. We're a credit union in another state and nothing like that applies to us."): the rules stated in the
# sentence before bind others
NOT_OURS_ALONE = re.compile(
    r"\b(?:nothing|none)(?: of (?:that|this|it|those)| like (?:that|this|it))? (?:applies|apply|applied) to (?:us|me"
    r"|our)\b|\b(?:that|this|it|the (?:rule|ban|law|restriction|prohibition)) (?:does not|do not|did not) (?:apply to"
    r"|cover|bind) (?:us|me|our)\b"
)
# The writer has since moved to another employer ("In my last job we weren't allowed to use nationality ... Now I'm
# at a fintech"): what was stated in the past tense before is the old employer's rule.
MOVED_ON = re.compile(
    r"^(?:but |and |so )?(?:now|these days|today|since then)\W*(?:i|we)(?:'m|'re| am| are| work| moved| joined"
    r"| have joined| have moved| switched)\b(?: (?:now|since))? (?:at|with|for|to|in)? ?(?:a |an |the |another )?"
    r"(?:[\w-]+ ){0,3}?(?:company|firm|bank|lender|insurer|start-?up|fintech|agency|employer|organi[sz]ation"
    r"|hospital|council|university|charity|retailer|telco|utility|platform|department|job|role)\b"
)
WRITER = re.compile(r"\b(?:we|our|us|i|my|me|here|ours)\b")
# A rule that held for a period now over ("the CTO banned any retraining during the cloud migration, which
# wrapped up ages ago", "the model was frozen during the audit last spring. The audit is finished now", "the
# model was frozen during the merger ... The freeze ended in January"): a clause saying the period or the rule
# ended turns what the clauses just before it stated in the past tense (PAST) into an uncertain reading of the
# opposite (the writers of the validation corpora label "that's over now" as a permission as often as not); a
# rule still in force ("the model is locked; the migration ended last month") stands. A rule named as lifted
# or withdrawn flips instead (see _WITHDRAWN_RULE).
_PERIOD = (
    r"(?:freeze|ban|moratorium|embargo|audit|migration|review|project|merger|pilot|transition|programme|program"
    r"|investigation|lockdown|restriction|rule|policy|period|exercise|acquisition|upgrade|rollout|contract)s?"
)
ENDED = re.compile(
    r"^(?:and |but |so )?(?:which|that|it|this|(?:the|that|this|our) (?:[\w-]+ ){0,2}" + _PERIOD + r")"
    r" (?:(?:has|have|had) )?(?:since |now |long |already |finally |officially )?(?:been )?"
    r"(?:ended|finished|wrapped up|concluded|expired|lapsed|ran out|run out|came to an end|(?:is|was|are|were)"
    r" (?:now |long |already |finally |officially )?(?:over|done|finished|complete|completed|behind us))\b"
    # not "which ended up costing us", "that was over budget", "it was over the limit"
    r"(?!\s+(?:up|budget|time|the|a|an|our|their|its|with)\b)"
)
PAST = re.compile(
    r"\b(?:was|were|had been|had to|forbade|froze|couldn't|could not|wasn't|weren't|didn't|did not|banned|prohibited"
    r"|barred|blocked|locked|ruled out)\b"
)
PRESENT = re.compile(
    r"\b(?:is|are|am|isn't|aren't|remains?|stays?|still|has been|have been|must|can|cannot|can't|may|will|won't)\b"
)


def stated_in_past(evidence: str) -> bool:
    """Whether a clause states a rule in the past tense only (see ENDED)."""
    words = evidence.lower().replace("\u2019", "'")  # not normalise: "the vendor's model" is no present tense
    return PAST.search(words) is not None and PRESENT.search(words) is None


# The goal of a fix the writer wants ("we want to repair the training features so that neighbourhood racial
# composition can't leak through"): what the fix should achieve, not a rule about the attribute or the model.
PURPOSE_MARKERS = frozenset({"so that", "in order that", "such that"})
WANTED_FIX = re.compile(
    r"\b(?:want|wants|would like|'d like|need|needs|plan|plans|aim|aims|trying|try|hope|hoping|intend|intends"
    r"|going)\s+to\b"
)
# how far back (in clauses) a period's end reaches
ENDED_SPAN = 4
# A part of the pipeline said to stay as it is ("the inputs and the outputs are off limits", "the decision
# thresholds are to be left as they are", "the learner is out of bounds"): the scope head tells which part a
# clause is about, and here it is the part that may NOT change, so the clause restricts the work to no stage.
KEPT_AS_IS = re.compile(
    r"\b(?:off[- ]limits|out of bounds|untouchable|frozen|fixed|locked|sealed|stays?|remains?|left (?:as|alone)"
    r"|as (?:it|they) (?:is|are)|exactly as|not|no|never|nor|belongs? to|owned by|other teams?|someone else"
    r"|somebody else)\b"
)
LIMITING = re.compile(
    r"\b(?:only|just|solely|exclusively|purely|entirely|all we|the one|nothing else|ours|our remit)\b"
)
STAGES = frozenset({"pre_processing", "in_processing", "post_processing"})


# In a whole sentence, only words of staying count ("..., but the learner and the threshold stay exactly as
# they are"): a negation there may belong to another clause ("from which membership can't be recovered").
STAYS = re.compile(
    r"\b(?:off[- ]limits|out of bounds|untouchable|frozen|locked|sealed|stays?|remains?|left (?:as|alone)"
    r"|as (?:it|they) (?:is|are)|exactly as)\b"
)


def kept_as_is(norm: str, value: str, kept: re.Pattern[str] = KEPT_AS_IS) -> bool:
    """Whether a clause's stage reading ``value`` names a part that is to stay unchanged (see KEPT_AS_IS)."""
    return value in STAGES and kept.search(norm) is not None and LIMITING.search(norm) is None


# The answer to a yes/no question just asked ("Could we retrain it? Yes, the merger gave us the code."): it
# grants or denies what the question was about.
ANSWER_YES = re.compile(
    r"^\W*(?:(?:also|again|likewise|and|but)\W+)?"  # "Also yes", "but yes": the answer to a second question
    r"(?:(?:a |an )?(?:firm |clear |definite |qualified |straight )?yes|yeah|yep|yup|sure|of course|absolutely"
    r"|certainly|definitely|indeed|we can|we may|it can|it may)\b"
    r"(?!\W*not\b)"  # "absolutely not", "of course not", "certainly not" deny (see ANSWER_NO)
)
# An answer passed on ("she says we can", "legal replied that we may not", "the answer was no"): read for what
# follows the report.
REPORTED_ANSWER = re.compile(
    r"^(?:(?:and|but|so|ok|okay|update)\W+)?(?:(?:[a-z]+ ){1,3}(?:says?|said|confirmed|replied|answered|tells? us"
    r"|told (?:us|me))(?: that)?"
    # "the answer was no", "legal's answer was a flat no" (normalised "legal is answer"), "the reply from
    # compliance came back: no"
    r"|(?:(?:the|their|his|her|its|our) )?(?:[a-z]+ (?:is )?)?(?:answer|reply|response|verdict)(?: from(?: [a-z]+){1,2}?)?"
    r" (?:is|was|came back)(?: with)?|answer)\W+"
)
# A question about retraining in so many words ("not sure whether we could refit it"), whatever the classifiers
# make of it: an answer after it settles retraining.
RETRAIN_TOPIC = re.compile(r"\b(?:re-?train\w*|re-?fit\w*|re-?build\w*|fine-?tun\w*)\b")
# A question about using an attribute ("can the scorer use age?", "using gender at decision time?"), when it
# names one (the reader marks such a clause): an answer after it settles the attribute at decision time.
USE_TOPIC = re.compile(r"\b(?:us(?:e|es|ed|ing)|feed\w*|includ\w*|consider\w*|input|decid\w*|decision)\b")
ASKED_SPAN = 2  # clauses that state nothing ("Asked my manager") between a question and its answer
ANSWER_NO = re.compile(
    r"^\W*(?:(?:also|again|likewise|and|but)\W+)?"
    r"(?:no|nope|nah|not really|sadly not|unfortunately not|we can not|it can not|no way|not a chance|not at all"
    r"|(?:absolutely|certainly|definitely|of course|surely|clearly) not|negative"
    r"|(?:a |an )?(?:flat|firm|clear|hard|definite|categorical|emphatic|resounding|straight|blunt) no)\b"
)
# A withdrawal that grants ("legal cleared it", "that's been cleared with compliance"): it permits, whether the
# statement before it forbade (a withdrawal) or permitted (a confirmation).
CLEARED = re.compile(r"\b(?:" + _CLEARED + r"|signed off|green-?lit|approved)\b")
# an elliptical reversal that demands or grants what was just stated ("it isn't prohibited; the scheme actually
# requires it", "the statute allows, in fact mandates, ...", "the regulator actually allows, even encourages,
# ...", "the pay-equity team actually wants that"): a requirement or a grant withdraws nothing (unless negated:
# "actually it doesn't allow it"; matched on normalised text, where "n't" is already "not")
REQUIRED_OR_GRANTED = re.compile(
    r"^(?!.*\b(?:not|never|no)\b).*\b(?:requires?|required|mandates?|mandated|demands?|obliges?|compels?"
    r"|allows?|permits?|encourages?|encouraged|endorses?|wants?|wanted|insists?)\b"
)


def reply_answer(reply: str) -> str | None:
    """What a reply to a yes/no question grants ("allowed") or denies ("forbidden"); ``None``: no answer."""
    # a denial first: "we can not" also begins like a grant ("we can")
    return "forbidden" if ANSWER_NO.match(reply) else "allowed" if ANSWER_YES.match(reply) else None


CONCESSIVE = re.compile(r"^(although|though|even though|even if|while|whereas|despite)\b")

FUNCTION_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "we",
        "i",
        "it",
        "they",
        "you",
        "he",
        "she",
        "this",
        "that",
        "so",
        "then",
        "yes",
        "no",
        "not",
        "do",
        "does",
        "did",
        "can",
        "could",
        "may",
        "might",
        "must",
        "will",
        "would",
        "be",
        "is",
        "are",
        "was",
        "were",
        "been",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "after",
        "all",
        "actually",
        "fact",
        "now",
        "turns",
        "turned",
        "out",
        "learned",
        "learnt",
        "found",
        "scratch",
        "anymore",
        "any",
        "more",
        "longer",
        "true",
        "wrong",
        "correction",
        "cleared",
        "allowed",
        "permitted",
        "our",
        "us",
        "there",
        "here",
        "indeed",
        "really",
        "luckily",
        "fortunately",
        "case",
        "though",
        "but",
        "however",
        "either",
        "too",
        "also",
        "one",
    }
)

_CONTRACTIONS = [
    (r"\bcan't\b|\bcannot\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'s\b", " is"),
    (r"'d\b", " would"),
    (r"'ll\b", " will"),
]


def normalise(text: str) -> str:
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, repl in _CONTRACTIONS:
        t = re.sub(pattern, repl, t)
    return t
