package dev.segmentd.peer;

import java.util.TreeSet;

/**
 * One task's pending timers in memory, in firing order (due time, then member id in UTF-8
 * byte order, SPEC 5.1): at most one entry per member, the `timer` field of its
 * {@link MemberState}. The member store is the only persistent copy; the index is rebuilt
 * from it when a task starts (after its store was restored). O(log n) per change; the next
 * due time is read in O(log n). Not thread-safe: one per task.
 */
final class TimerIndex {
  /** A pending timer of one member. */
  record Entry(long due, String member) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      if (due != o.due) return Long.compare(due, o.due);
      return compareCodePoints(member, o.member);
    }
  }

  private final TreeSet<Entry> entries = new TreeSet<>();

  void add(long due, String member) {
    if (due != Lifecycle.NO_TIMER) entries.add(new Entry(due, member));
  }

  void remove(long due, String member) {
    if (due != Lifecycle.NO_TIMER) entries.remove(new Entry(due, member));
  }

  /** The earliest entry due at or before `clock`, removed from the index; or null. */
  Entry pollDue(long clock) {
    if (entries.isEmpty() || entries.first().due > clock) return null;
    return entries.pollFirst();
  }

  int size() {
    return entries.size();
  }

  /** UTF-8 byte order of two strings is the order of their code points. */
  static int compareCodePoints(String a, String b) {
    final int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; ++i) {
      final char x = a.charAt(i);
      final char y = b.charAt(i);
      if (x == y) continue;
      if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
        return Integer.compare(a.codePointAt(i), b.codePointAt(i));
      }
      return Character.compare(x, y);
    }
    return Integer.compare(a.length(), b.length());
  }
}
