"""Write docs/choosing-alpha-threshold-correction.md, "Choosing alpha, threshold and
correction", from the package's own formulas.

Every number on the page is computed here: the chance that a gate fails on stable data
(``pytest_drift.stats.false_alarm.gate_false_alarm``) for 1 to 50 features under each
correction, and the smallest significant KS statistic
(``pytest_drift.stats.effects.min_detectable_ks``) at a thousand and a million rows.

    python docs/false_alarms.py            # rewrite the page
    python docs/false_alarms.py --check    # exit 1 if the page is out of date

tests/unit/test_docs_choosing.py fails when the page differs from what this script writes.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "choosing-alpha-threshold-correction.md"

if str(ROOT) not in sys.path:  # run as a script from a source tree
    sys.path.insert(0, str(ROOT))

from docs.generated_page import page_main  # noqa: E402
from pytest_drift.stats.corrections import CORRECTIONS  # noqa: E402
from pytest_drift.stats.effects import min_detectable_ks  # noqa: E402
from pytest_drift.stats.false_alarm import gate_false_alarm  # noqa: E402
from pytest_drift.verdict import FALSE_ALARM_WARNING  # noqa: E402

ALPHA = 0.05
THRESHOLD = 20.0
FEATURES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50)
#: The worked example: a small check at the default threshold.
EXAMPLE_FEATURES = 4
#: Rows per side in the big-n section, and the shift (in standard deviations) it discusses.
SMALL_N, BIG_N = 1_000, 1_000_000
TINY_SHIFT = 0.02
#: min_effect values the page translates into shifts of a normal feature.
MIN_EFFECTS = (0.02, 0.05, 0.1)
RECOMMENDED_MIN_EFFECT = 0.05


def percent(p: float) -> str:
    """A probability as a percentage a reader can compare at a glance."""
    if p == 0:
        return "0%"
    if p < 1e-4:
        return "< 0.01%"
    return f"{p * 100:.3g}%"


def failing_count(m: int, threshold: float) -> int:
    """The fewest drifted features that fail the gate: drift_percentage > threshold."""
    return next(k for k in range(1, m + 2) if k * 100 > threshold * m)


def ks_of_shift(shift: float) -> float:
    """The KS statistic between N(0, 1) and N(shift, 1): the largest gap of their CDFs,
    at the midpoint: 2 Φ(shift / 2) - 1."""
    from scipy import stats

    return float(2 * stats.norm.cdf(shift / 2) - 1)


def shift_of_ks(d: float) -> float:
    """The mean shift, in standard deviations, of a normal feature whose KS statistic is d."""
    from scipy import stats

    return float(2 * stats.norm.ppf((1 + d) / 2))


def asymptotic_p(d: float, n: int) -> float:
    """The KS p-value of statistic d with n rows on each side (Smirnov's distribution)."""
    from scipy import stats

    return float(stats.kstwo.sf(d, round(n * n / (n + n))))


WIDTH = 96


def reflow(page: str) -> str:
    """Wrap the prose paragraphs and list items of the page; leave headings, tables, code
    and comments as they are."""
    blocks = []
    for block in page.split("\n\n"):
        if block.startswith(("#", "|", "```", "<!--")):
            blocks.append(block)
        elif block.startswith("- "):
            items = block[2:].split("\n- ")
            blocks.append("\n".join(
                textwrap.fill(" ".join(item.split()), WIDTH, initial_indent="- ",
                              subsequent_indent="  ", break_on_hyphens=False)
                for item in items))
        else:
            blocks.append(textwrap.fill(" ".join(block.split()), WIDTH,
                                        break_on_hyphens=False))
    return "\n\n".join(blocks)


def words(items: Sequence[object]) -> str:
    """1 → "1"; 3, 4 → "3 and 4"; 2, 3, 4 → "2, 3 and 4"."""
    texts = [str(item) for item in items]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def number(value: float) -> str:
    return f"{value:.3g}"


def rows(n: int) -> str:
    return f"{n:,}"


def probability_table() -> str:
    header = ("| features | the gate fails when this many drift | "
              + " | ".join(f"`{c}`" for c in CORRECTIONS) + " |")
    rule = "|---:|---:|" + "---:|" * len(CORRECTIONS)
    lines = [header, rule]
    for m in FEATURES:
        cells = []
        for correction in CORRECTIONS:
            p = gate_false_alarm(m, ALPHA, THRESHOLD, correction)
            text = percent(p)
            cells.append(f"**{text}**" if p > FALSE_ALARM_WARNING else text)
        lines.append(f"| {m} | {failing_count(m, THRESHOLD)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def how_to_read() -> str:
    m = EXAMPLE_FEATURES
    k = failing_count(m, THRESHOLD)
    assert k == 1, "the example's formula is for a gate that one drifted feature fails"
    none = gate_false_alarm(m, ALPHA, THRESHOLD, "none")
    holm = gate_false_alarm(m, ALPHA, THRESHOLD, "holm")
    after = next(n for n in FEATURES if failing_count(n, THRESHOLD) > k)
    after_none = gate_false_alarm(after, ALPHA, THRESHOLD, "none")
    above = [n for n in FEATURES
             if gate_false_alarm(n, ALPHA, THRESHOLD, "none") > FALSE_ALARM_WARNING]
    return f"""\
Each row is a check of that many stable, independent features. With {m} features at a
{THRESHOLD:g}% threshold, {k} drifted feature is already {k / m:.0%} > {THRESHOLD:g}%, so the gate
fails as soon as any one of the {m} tests fires by chance: 1 - (1 - {ALPHA:g})^{m} =
**{percent(none)}** of runs without a correction. With `correction="holm"` the same check fails
{percent(holm)} of the time.

The column "the gate fails when this many drift" explains the saw-tooth: at {after} features
one drifted feature is exactly {1 / after:.0%}, not more than {THRESHOLD:g}%, so
{failing_count(after, THRESHOLD)} must drift by chance together, and the chance without a
correction falls to {percent(after_none)}. Small checks at a low threshold are the ones that
cry wolf: without a correction, {words(above)} features at {THRESHOLD:g}% fail
more than {FALSE_ALARM_WARNING:.0%} of the time (in bold).

Every check's report states this number as `false_alarm_probability`, computed for its own
number of features, alpha, threshold and correction; above {FALSE_ALARM_WARNING:.0%} the
report has a note and the terminal a `warning:` line."""


def corrections_text() -> str:
    return f"""\
A correction adjusts each feature's p-value for the number of features tested in the check;
a feature drifts when its adjusted p-value is below alpha. The report keeps both
(`p_value`, `adjusted_p_value`) and says which rule decided (`decided_by`).

- `none` (the default): each feature is tested at alpha on its own. On stable data each
  drifts by chance with probability alpha ({ALPHA:g}), so a check of m features expects
  m × {ALPHA:g} of them. Fine when the threshold needs several drifts at once; not for small checks.
- `bonferroni`: the p-value times the number of features. Controls the family-wise error
  rate: the chance that any stable feature is flagged stays at most alpha ({ALPHA:g}), under
  any dependence between features. The price is power: a real but modest drift needs a
  smaller p-value to count.
- `holm`: Holm's step-down version of Bonferroni. Same guarantee, and it never flags fewer
  features than Bonferroni; when several features really drift it flags more. The one to
  choose for a gate that must not fail on stable data.
- `fdr_bh`: Benjamini-Hochberg. Controls the false discovery rate: among the features
  reported as drifted, the expected share of stable ones is at most alpha. When nothing
  drifts this is again the chance of any false drift ({percent(ALPHA)} or less, the
  `fdr_bh` column); when many features really drift it flags more of them than Holm. Suits
  wide checks (dozens of features) where the list of drifted features is what you act on.

The table assumes independent features with continuous values. Correlated features move
together, which makes several false drifts at once likelier than the table says without a
correction; Bonferroni and Holm hold under any dependence, Benjamini-Hochberg under the
positive dependence typical of related features. Tests on ties or counts (KS on rounded
values, chi-square) reject less often than alpha, so for them the table is an upper bound."""


def big_n_text() -> str:
    small = min_detectable_ks(SMALL_N, SMALL_N, ALPHA)
    big = min_detectable_ks(BIG_N, BIG_N, ALPHA)
    tiny = ks_of_shift(TINY_SHIFT)
    table = "\n".join([
        "| rows on each side | smallest significant KS statistic | smallest significant "
        "mean shift of a normal feature |",
        "|---:|---:|---:|",
        *(f"| {rows(n)} | {number(d)} | {number(shift_of_ks(d))} standard deviations |"
          for n, d in ((SMALL_N, small), (BIG_N, big))),
    ])
    small_shift = shift_of_ks(small)
    recommended_shift = shift_of_ks(RECOMMENDED_MIN_EFFECT)
    undetectable = (f", which a sample of {rows(SMALL_N)} rows a side could not detect anyway"
                    if recommended_shift < small_shift else "")
    effects = "\n".join([
        "| `min_effect` (KS statistic) | the mean shift of a normal feature it takes |",
        "|---:|---:|",
        *(f"| {e:g} | {number(shift_of_ks(e))} standard deviations |" for e in MIN_EFFECTS),
    ])
    return f"""\
A p-value measures how sure the test is that the distribution moved, not how far it moved.
The smallest KS statistic that is significant at alpha {ALPHA:g} shrinks like 1/√n (the report
gives it per feature as `min_detectable_ks`):

{table}

A shift of {TINY_SHIFT:g} standard deviations has a KS statistic of {number(tiny)}. With
{rows(BIG_N)} rows a side that is significant (p = {asymptotic_p(tiny, BIG_N):.2g}): the gate
reports drift that no model will notice. With {rows(SMALL_N)} rows a side the same shift is
invisible (p = {number(asymptotic_p(tiny, SMALL_N))}).

So with large datasets, decide how big a change matters and set `min_effect`: a feature then
drifts only if its test is significant **and** its effect (the KS statistic for numbers,
Cramér's V for categories) is at least `min_effect`. A feature held back by it is reported
with `decided_by: "min_effect"`.

{effects}

`min_effect={RECOMMENDED_MIN_EFFECT:g}` is a reasonable start for numeric features on large
data: it ignores shifts under {number(recommended_shift)} standard deviations{undetectable}."""


def build_page() -> str:
    return reflow(f"""\
# Choosing alpha, threshold and correction

<!-- Generated by docs/false_alarms.py; do not edit by hand. -->

A drift check tests every feature at the significance level `alpha`, and its gate fails when
more than `threshold` percent of the features drift. Even when nothing changed, each test
declares drift with probability alpha, so a gate can fail on stable data. How often depends
on the number of features, alpha, the threshold and the `correction`.

## How often a gate fails on stable data

The probability that the gate fails when no feature drifted, at alpha {ALPHA:g} and threshold
{THRESHOLD:g}%:

{probability_table()}

## How to read it

{how_to_read()}

## What each correction controls

{corrections_text()}

## With many rows, ask how big a change matters

{big_n_text()}

## In short

- Keep `alpha={ALPHA:g}` and `threshold={THRESHOLD:g}` for wide checks; for checks of a few
  features, set `correction="holm"` (or raise the threshold) until `false_alarm_probability`
  is under {FALSE_ALARM_WARNING:.0%}.
- Use `correction="fdr_bh"` when you test dozens of features and act on the list of drifted
  ones.
- With large datasets, set `min_effect` so that only changes that matter fail the gate.

```python
@pytest.mark.drift("data/train.parquet", "data/prod.parquet",
                   correction="holm", min_effect={RECOMMENDED_MIN_EFFECT:g})
def test_features_are_stable():
    pass
```""") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    return page_main(build_page, PAGE, (__doc__ or "").splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
