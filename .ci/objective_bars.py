"""The issue's four bars for the objective policy on one trace and profile, each with whether ANY scaler could
meet it, judged from the lower bound (docs/simulation.md#which-bars-can-be-met). Imported by .ci/objective-table
and .ci/servegen-table.

The bars, for the objective policy at share s over the TTFT objective (quantile Q):
  share   s <= 1 - Q, where the oracle reaches 1 - Q (it then shows a schedule that does);
  kpa     replica-seconds <= 0.75 x the cheapest KPA variant reaching s;
  fixed   replica-seconds <  the cheapest fixed-N reaching s;
  oracle  replica-seconds <= 1.5 x the oracle's.
bound(s) is the fewest replica-seconds any scaler spends with at most a share s late (`--policy bound` with
Q = 1 - s rounded down to the millionth, so it allows at least s late and stays a lower bound; above 50 % late,
the finest Q `--objective-quantile` takes is 0.5, so the floor, one replica over the span, is used).
A cost bar is out of reach at s when bound(s) already exceeds it. A policy may reach another share s', so the
cost bars are also judged at every share: the cheapest baseline reaching s' is a step function of s' with
steps at the baseline's frontier, and within each step the bound is least at the step's high end (the next
frontier share), so the bar is out of reach at every share when bound(next share) exceeds the bar of each step.
"""
import math

FIXED_BAR = 1.0  # strictly below
KPA_BAR = 0.75
ORACLE_BAR = 1.5


def cheapest(results, share):
    """The cheapest result at or under `share`, and True; else the one with the best share, and False."""
    reaching = [r for r in results if r["overObjectiveShare"] <= share + 1e-12]
    if reaching:
        return min(reaching, key=lambda r: r["replicaSeconds"]), True
    best = min(r["overObjectiveShare"] for r in results)
    return min((r for r in results if r["overObjectiveShare"] == best), key=lambda r: r["replicaSeconds"]), False


def frontier(results):
    """(share, replica-seconds) of the variants no other beats on both, by share ascending."""
    points, best = [], math.inf
    for r in sorted(results, key=lambda r: (r["overObjectiveShare"], r["replicaSeconds"])):
        if r["replicaSeconds"] < best:
            points.append((r["overObjectiveShare"], r["replicaSeconds"]))
            best = r["replicaSeconds"]
    return points


class Bound:
    """bound(s), memoised; `run(q)` returns `simulate --policy bound --objective-quantile q --json`'s `bound`."""

    def __init__(self, run):
        self.run, self.memo, self.floor = run, {}, None

    def quantile(self, share):
        return max(0.5, min(0.999, math.floor((1 - share) * 1e6) / 1e6))

    def __call__(self, share):
        q = self.quantile(share)
        if q not in self.memo:
            self.memo[q] = self.run(q)
        b = self.memo[q]
        self.floor = b["floorReplicaSeconds"]
        if 1 - share < 0.5 - 1e-12:  # Q = 0.5 allows fewer late than s: not a bound at s; the floor is
            return b["floorReplicaSeconds"]
        return b["replicaSeconds"]


def reachable_anywhere(points, bound, factor, strict, cap=1.0):
    """A share s <= cap at which bound(s) is within factor x the cheapest baseline at s (points: its frontier),
    as (s, that baseline's replica-seconds); None when there is none."""
    for k, (share, cost) in enumerate(points):
        if share > cap + 1e-12:
            break
        high = min(cap, points[k + 1][0] if k + 1 < len(points) else 1.0)
        b = bound(high)
        if (b < factor * cost) if strict else (b <= factor * cost + 1e-9):
            return high, cost
    return None


def soundness(replays, bound):
    """The bound's check on this case: (replays checked, those costing less than the bound at their own share).
    Checking each baseline's frontier covers all its variants: any variant costs at least a frontier point at a
    share no larger, and the bound only grows as the share shrinks."""
    checked, below = 0, []
    for r in replays:
        checked += 1
        if r["replicaSeconds"] < bound(r["overObjectiveShare"]) - 1e-6:
            below.append(r.get("policy") or r.get("name"))
    return checked, below


def bars(obj, oracle, kpa, fixed, bound, quantile=0.95):
    """One row of the bars table: each bar's verdict for the objective policy, and whether any scaler could meet it."""
    s = obj["overObjectiveShare"]
    allowed = 1 - quantile
    share_applies = oracle["overObjectiveShare"] <= allowed + 1e-12
    cap = allowed if share_applies else 1.0
    b = bound(s)
    cost = obj["replicaSeconds"]

    def verdict(met, ratio, here, anywhere, baseline, bound_ratio):
        where = "any share" if cap >= 1 else f"any share ≤ {100 * cap:.0f} %"
        there = f"within at {100 * anywhere[0]:.1f} % (baseline {anywhere[1]:.0f})" if anywhere else f"beyond at {where}"
        return (f"{'met' if met else 'missed'}: {ratio:.2f}× {baseline}; bound {bound_ratio:.2f}×, {'within' if here else 'beyond'} the bar here, "
                f"{there}")

    cells = {}
    if share_applies:
        cells["share"] = ("met" if s <= allowed + 1e-12 else "missed") + f" ({100 * s:.1f} % vs {100 * allowed:.0f} %; oracle {100 * oracle['overObjectiveShare']:.1f} %)"
    else:
        cells["share"] = f"does not apply (oracle {100 * oracle['overObjectiveShare']:.1f} %)"
    for key, base, factor, strict in (("kpa", kpa, KPA_BAR, False), ("fixed", fixed, FIXED_BAR, True)):
        if base is None:
            cells[key] = "not measured (no sweep)"
            continue
        c, _ = cheapest(base, s)
        bar = factor * c["replicaSeconds"]
        met = cost < bar if strict else cost <= bar + 1e-9
        here = b < bar if strict else b <= bar + 1e-9
        cells[key] = verdict(met, cost / c["replicaSeconds"], here, reachable_anywhere(frontier(base), bound, factor, strict, cap),
                             c.get("policy") or c.get("name"), b / c["replicaSeconds"])
    cells["oracle"] = ("met" if cost <= ORACLE_BAR * oracle["replicaSeconds"] else "missed") + \
        f": {cost / oracle['replicaSeconds']:.2f}×; bound {b / oracle['replicaSeconds']:.2f}×, {'within' if b <= ORACLE_BAR * oracle['replicaSeconds'] else 'beyond'} the bar"
    cells["bound"] = f"{b:.0f} (Q {bound.quantile(s):g})"
    on_frontier = [r for base in (kpa or [], fixed or []) for r in base
                   if (r["overObjectiveShare"], r["replicaSeconds"]) in set(frontier(base))]
    checked, below = soundness([obj, oracle] + on_frontier, bound)
    cells["sound"] = f"{checked}, none below" if not below else f"{checked}, BELOW: {', '.join(below)}"
    return cells


HEADER = ("| trace | profile | bound at the objective's share | replays checked against the bound | share ≤ 1 − Q | "
          "≤ 0.75× cheapest KPA at that share | < cheapest fixed-N at that share | ≤ 1.5× oracle |\n|---|---|---|---|---|---|---|---|")


def row(label, profile, cells):
    return f"| {label} | {profile} | {cells['bound']} | {cells['sound']} | {cells['share']} | {cells['kpa']} | {cells['fixed']} | {cells['oracle']} |"
