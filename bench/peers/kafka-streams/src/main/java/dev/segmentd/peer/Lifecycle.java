package dev.segmentd.peer;

/**
 * The lifecycle family (SPEC 5.4 and the at_risk_after formula of SPEC 9): pure functions
 * of a member's figures and an instant. Thread-safe (immutable).
 */
final class Lifecycle {
  /** Labels in the order segmentd numbers them; {@link #NAMES} gives the wire names. */
  static final byte NONE = 0;
  static final byte NEW = 1;
  static final byte ACTIVE = 2;
  static final byte AT_RISK = 3;
  static final byte DORMANT = 4;
  static final byte LOST = 5;
  static final String[] NAMES = {"none", "new", "active", "at_risk", "dormant", "lost"};

  /** No pending timer. */
  static final long NO_TIMER = Long.MIN_VALUE;

  final long dormantAfter;
  final long lostAfter;
  final long atRiskMinPurchases;
  final long atRiskMinDays;
  final long atRiskFactorThousandths;

  Lifecycle(long dormantAfter, long lostAfter, long atRiskMinPurchases, long atRiskMinDays,
      long atRiskFactorThousandths) {
    this.dormantAfter = dormantAfter;
    this.lostAfter = lostAfter;
    this.atRiskMinPurchases = atRiskMinPurchases;
    this.atRiskMinDays = atRiskMinDays;
    this.atRiskFactorThousandths = atRiskFactorThousandths;
  }

  /** max(at_risk_min_days, ceil(factor * (last - first) / (n - 1))), exact; needs n >= 2. */
  long atRiskAfter(MemberState m) {
    // span < 3.5e12 and factor <= 1e6 thousandths: the product fits in a long.
    final long numerator = (m.lastPurchase - m.firstPurchase) * atRiskFactorThousandths;
    final long denominator = (m.purchases - 1) * 1000L;
    final long scaled = (numerator + denominator - 1) / denominator;
    return Math.max(atRiskMinDays, scaled);
  }

  private boolean atRiskApplies(MemberState m) {
    return m.purchases >= 2 && m.purchases >= atRiskMinPurchases;
  }

  /** The member's label at `now`. */
  byte label(MemberState m, long now) {
    if (m.purchases == 0) return NONE;
    final long silence = Math.max(0, now - m.lastPurchase);
    if (silence >= lostAfter) return LOST;
    if (silence >= dormantAfter) return DORMANT;
    if (m.purchases == 1) return NEW;
    if (atRiskApplies(m) && silence >= atRiskAfter(m)) return AT_RISK;
    return ACTIVE;
  }

  /** The first instant after `after` at which the label can change, or NO_TIMER. */
  long nextChange(MemberState m, long after) {
    if (m.purchases == 0) return NO_TIMER;
    long next = NO_TIMER;
    if (atRiskApplies(m)) next = earlier(next, m.lastPurchase + atRiskAfter(m), after);
    next = earlier(next, m.lastPurchase + dormantAfter, after);
    next = earlier(next, m.lastPurchase + lostAfter, after);
    return next;
  }

  private static long earlier(long current, long candidate, long after) {
    if (candidate <= after) return current;
    return current == NO_TIMER || candidate < current ? candidate : current;
  }
}
