"""The reasons put into words a template at a time read exactly as one by one."""

from __future__ import annotations

import pytest

from benchmarks.instances import make_problem
from optimizer.messages import Message, Translator
from optimizer.schema import REASON, WHY, Problem
from optimizer.solve import render_many, solve


def plans(sample: Problem) -> list[Problem]:
    return [
        sample,
        sample.with_settings(integer_units=True),
        sample.with_settings(objective="min_cost"),
        make_problem(300),
    ]


@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize("needed", ["auto", "bound"])
def test_reasons_read_as_rendered_one_by_one(
    sample_problem: Problem, case: int, needed: str
) -> None:
    from ui.text import MarkdownTranslator
    from ui.text import Translator as PageTranslator

    r = solve(plans(sample_problem)[case], needed=needed)
    why = list(r.unfunded[WHY])
    assert len(why) > 1
    assert list(r.unfunded[REASON]) == [Translator().render(w) for w in why]
    for t in (Translator("ru"), PageTranslator("ru"), MarkdownTranslator("en")):
        assert render_many(t, why, {}) == [t.render(w) for w in why], t


def test_numbers_of_every_kind_and_shared_parts() -> None:
    shared = Message("limit_pool", {"pool": "Budget_*x*"})
    limited = Message("reason_limited_by", {"limits": (shared,)})
    msgs = [
        Message("reason_needs_value", {"needed": v, "value": 1.0, "limited": limited})
        for v in (2.0, 2.04, 2.06, 1e6, float("nan"), float("inf"), -0.01, 2.0, -0.0, 0.0)
    ]
    msgs += [Message("reason_needs_value", {"needed": 3, "value": 1.0, "limited": ""})]
    msgs += [Message("reason_no_value"), Message("no_such_code", {"x": 1})]
    msgs += [Message("reason_limited_by", {"limits": (shared, shared)})]
    for lang in ("en", "ru"):
        t = Translator(lang)
        assert render_many(t, msgs, {}) == [t.render(m) for m in msgs]
    # a spec that writes -0.0 and 0.0 apart, ints beside floats
    texts = {"probe": ("{x:g} of {n}", "{x:g} из {n}")}
    probes = [Message("probe", {"x": x, "n": n}) for x, n in [(-0.0, 1), (0.0, 1), (1.5, 2.0)]]
    for lang in ("en", "ru"):
        t = Translator(lang, texts=texts)
        assert render_many(t, probes, {}) == [t.render(m) for m in probes]
        assert render_many(t, probes, {})[0].startswith("-0")
