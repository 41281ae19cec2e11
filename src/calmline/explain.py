"""Evidence in a team lead's words: why a piece of the message counted, without the rule's id.

Every piece of evidence carries the machine name of the rule that read it ("model:anger feature
'<anger_word>'", "flags.legal", "wants.refund: like '...'"). People see `explain(source, rule)`
instead: "an angry word (learned by the anger model)", "a phrase on the playbook's legal list",
"reads like the playbook example '...'". Unknown rules fall back to a plain description of the
kind of rule, never to the id alone.
"""

from __future__ import annotations

import re

_MODEL = re.compile(r"^model:(?P<model>\w+) feature '(?P<feature>.*)'$")
_LIKE = re.compile(r'^(?P<where>[\w.]+): like (?P<example>".*?")(?: \(similarity [\d.]+\))?$')
_CUES = {"<anger_word>": "an angry word", "<insult>": "an insult", "<swear>": "swearing",
         "<masked_swear>": "a masked swear word", "<caps>": "shouting in capitals",
         "<elong>": "a stretched-out word", "<!!>": "repeated !!", "<url>": "a link",
         "<num>": "a number", "<name>": "a name"}
_MODELS = {"anger": "the anger model", "offensive": "the abuse model"}
_SIGNS = {"caps": "shouting in capitals", "exclamations": "repeated exclamation marks",
          "punctuation": "repeated !! or ?!", "swearing": "swearing", "elongation": "a stretched-out word"}
_SECTIONS = {"flags": "a phrase on the playbook's {label} list", "wants": "asks for: {label}",
             "causes": "a phrase on the playbook's {label} causes", "areas": "about: {label}",
             "anger": "angry words from the playbook ({label})", "venting": "a venting sign",
             "behaviours": "a phrase the coach counts as {label}",
             "anti_patterns": "a phrase the coach flags as {label}"}
# what a learned draft head (engine/draft_heads.py) says a sentence reads like
_LEARNED = {"excuse": "an excuse", "blame": "blaming someone else", "argue": "arguing with the customer",
            "policy": "hiding behind policy", "minimise": "playing the problem down",
            "acknowledge": "acknowledging how they feel", "ownership": "taking ownership",
            "solution": "offering a fix", "reassurance": "reassuring them",
            "repeat_back": "saying their issue back"}


def _words(name: str) -> str:
    return name.replace("_", " ").strip()


def _model(match: re.Match[str]) -> str:
    model = _MODELS.get(match["model"], f"the {match['model']} model")
    feature = match["feature"]
    what = _CUES.get(feature) or (f"the words '{feature}'" if " " in feature else f"the word '{feature}'")
    return f"{what} (learned by {model})"


def _section(rule: str) -> str:
    parts = rule.split(".")
    section, label = parts[0], _words(parts[-1] if len(parts) > 1 else parts[0])
    if section == "anger" and len(parts) > 2 and parts[1] == "cues":
        return _SIGNS.get(parts[2], f"a sign of anger ({_words(parts[2])})")
    if section == "anger" and len(parts) > 2 and parts[1] == "lexicon":
        return f"angry words from the playbook ({_words(parts[2])})"
    if section == "flags" and len(parts) > 2 and parts[2] == "request":  # signals/flags.request_rule
        return f"a request on the playbook's {_words(parts[1])} list, a threat only when said in protest"
    template = _SECTIONS.get(section)
    return template.format(label=label) if template else f"a rule of the playbook ({label})"


# evidence read from the conversation around the text rather than from the text itself
_CONTEXT = {"anti_patterns.off_topic": "the reply touches nothing the customer asked or wrote about"}


def _learned(rule: str) -> str:
    """A draft head's hit (engine/draft_heads.py): a sentence, the reply as a whole (a reply
    head, of a behaviour or an anti-pattern), or a bare reply's closest anti-pattern."""
    label, _, how = rule.split(".", 1)[1].partition(".")
    like = _LEARNED.get(label, _words(label))
    if how == "reply":
        return f"the reply as a whole reads like {like} (learned from the team's drafts)"
    if how == "bare_reply":
        return (f"the reply does nothing else (no apology, ownership, fix or question) and reads "
                f"most like {like} (learned from the team's drafts)")
    return f"reads like {like} (learned from the team's drafts)"


def explain(source: str, rule: str) -> str:
    """One short phrase saying why this evidence counted."""
    if match := _MODEL.match(rule):
        return _model(match)
    if match := _LIKE.match(rule):
        where = match["where"].split(".")
        if where[0] == "anger" and len(where) > 2:
            return f"reads like the playbook's {_words(where[2])} example {match['example']}"
        return f"reads like the playbook example {match['example']}"
    if rule.startswith("watch."):
        return (f"resembles messages the team labelled {_words(rule[6:])}: a weak sign, "
                "worth a gentle check")
    if rule.startswith("facts."):
        return f"the customer's {_words(rule[6:])}"
    if rule.startswith("coach."):
        kind = rule.split(".")[1] if "." in rule else rule
        return {"tone": "the tone of the reply", "issue": "names the customer's issue",
                "timeline": "a concrete time", "customer": "what the customer said"}.get(
            kind, f"the coach's {_words(kind)} check")
    if source == "model" and rule.startswith(("anti_patterns.", "behaviours.")):
        return _learned(rule)
    if source in ("lexicon", "pattern", "cue"):
        return _section(rule)
    if source == "context":
        return _CONTEXT.get(rule, "from earlier in the conversation")
    return f"a {source} rule ({_words(rule.split('.')[-1])})" if rule else f"a {source} rule"
