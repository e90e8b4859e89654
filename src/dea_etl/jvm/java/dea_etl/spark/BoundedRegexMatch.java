package dea_etl.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.spark.sql.api.java.UDF3;

/**
 * A regular expression matched with a step budget: Java's matcher backtracks, and some patterns take
 * exponential time on some values ({@code (a+)+$} on {@code aaaaaaaaaaaaaaaaaaaaaaaaaaaaab}). The value is
 * read through a {@link CharSequence} that counts every character the matcher looks at and stops it once
 * {@code maxSteps} are spent.
 *
 * <p>Returns 1 when the whole value matches, 0 when it does not, -1 when the budget ran out before the
 * matcher could tell (the rule then fails, naming the pattern), null for a null value or pattern.
 */
public final class BoundedRegexMatch implements UDF3<String, String, Long, Integer> {
  private static final long serialVersionUID = 1L;
  private static final int CACHED_PATTERNS = 256;
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  /** Thrown by the counting sequence when the budget is spent. */
  private static final class OutOfSteps extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutOfSteps() {
      super(null, null, false, false);
    }
  }

  /** The value, counting each character read. */
  private static final class Counted implements CharSequence {
    private final String text;
    private final long[] left;

    Counted(String text, long[] left) {
      this.text = text;
      this.left = left;
    }

    @Override
    public char charAt(int index) {
      if (--left[0] < 0) {
        throw new OutOfSteps();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Counted(text.substring(start, end), left);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private static Pattern compiled(String regex) {
    Pattern found = PATTERNS.get(regex);
    if (found == null) {
      found = Pattern.compile(regex);
      if (PATTERNS.size() >= CACHED_PATTERNS) {
        PATTERNS.clear();
      }
      PATTERNS.put(regex, found);
    }
    return found;
  }

  @Override
  public Integer call(String value, String regex, Long maxSteps) {
    if (value == null || regex == null) {
      return null;
    }
    long[] left = {maxSteps == null ? Long.MAX_VALUE : maxSteps};
    try {
      return compiled(regex).matcher(new Counted(value, left)).matches() ? 1 : 0;
    } catch (OutOfSteps exhausted) {
      return -1;
    }
  }
}
