package dea_etl.spark;

import java.time.LocalDate;
import java.time.Year;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.api.java.UDF2;

/**
 * The quick way to read the common dates: a field written exactly as a simple pattern shows it (ASCII
 * digits of the pattern's widths between its separators, such as {@code 5/1/2014} for {@code M/d/yyyy})
 * and a real day of the calendar gives that day, as days since 1970-01-01. Anything else gives null, and
 * the caller then asks Spark's own {@code to_date}, so the result is always Spark's: this function only
 * answers where Spark's parser would give the same day (one-digit or two-digit {@code M} and {@code d},
 * exactly two digits for {@code MM} and {@code dd}, four for {@code yyyy}, years 1 to 9999), at a small
 * part of its cost (Spark parses into a zoned timestamp and casts that to a date).
 *
 * <p>Simple patterns are made of {@code M}, {@code MM}, {@code d}, {@code dd}, {@code yyyy} (each once)
 * and single non-letter separators between them; for any other pattern this gives null for every value.
 */
public final class DateText implements UDF2<String, String, Integer> {
  private static final long serialVersionUID = 1L;
  private static final int CACHED_PATTERNS = 256;
  private static final Map<String, Shape> SHAPES = new ConcurrentHashMap<>();

  @Override
  public Integer call(String field, String pattern) {
    if (field == null || pattern == null) {
      return null;
    }
    Shape shape = SHAPES.get(pattern);
    if (shape == null) {
      shape = Shape.of(pattern);
      if (SHAPES.size() < CACHED_PATTERNS) {
        SHAPES.put(pattern, shape);
      }
    }
    return shape.epochDay(field);
  }

  /** A pattern as its parts: a digit field ({@code 'M'}, {@code 'd'} or {@code 'y'}) or a separator. */
  private static final class Shape {
    private static final Shape NONE = new Shape(new char[0], new int[0], new int[0]);

    private final char[] kinds;
    private final int[] minDigits;
    private final int[] maxDigits;

    private Shape(char[] kinds, int[] minDigits, int[] maxDigits) {
      this.kinds = kinds;
      this.minDigits = minDigits;
      this.maxDigits = maxDigits;
    }

    static Shape of(String pattern) {
      List<int[]> parts = new ArrayList<>();  // {kind, min, max}
      int seen = 0;  // bit per field kind
      for (int i = 0; i < pattern.length(); ) {
        char c = pattern.charAt(i);
        int run = 1;
        while (i + run < pattern.length() && pattern.charAt(i + run) == c) {
          run++;
        }
        if (c == 'M' || c == 'd' || c == 'y') {
          int bit = c == 'M' ? 1 : c == 'd' ? 2 : 4;
          boolean afterField = !parts.isEmpty() && parts.get(parts.size() - 1)[0] != 0;
          if ((seen & bit) != 0 || afterField || run > (c == 'y' ? 4 : 2) || (c == 'y' && run != 4)) {
            return NONE;
          }
          seen |= bit;
          parts.add(new int[] {c, c == 'y' || run == 2 ? run : 1, c == 'y' ? 4 : 2});
        } else if (Character.isLetter(c) || c == '\'' || c == '[' || c == ']' || c == '{' || c == '}'
            || c == '#' || Character.isDigit(c) || run > 1 || c >= 128) {
          return NONE;
        } else {
          parts.add(new int[] {0, c, c});
        }
        i += run;
      }
      if (seen != 7) {
        return NONE;
      }
      char[] kinds = new char[parts.size()];
      int[] min = new int[parts.size()];
      int[] max = new int[parts.size()];
      for (int k = 0; k < kinds.length; k++) {
        int[] part = parts.get(k);
        kinds[k] = part[0] == 0 ? (char) 0 : (char) part[0];
        min[k] = part[1];
        max[k] = part[2];
      }
      return new Shape(kinds, min, max);
    }

    Integer epochDay(String field) {
      if (kinds.length == 0) {
        return null;
      }
      int at = 0;
      int year = 0;
      int month = 0;
      int day = 0;
      int n = field.length();
      for (int k = 0; k < kinds.length; k++) {
        if (kinds[k] == 0) {
          if (at >= n || field.charAt(at) != (char) minDigits[k]) {
            return null;
          }
          at++;
          continue;
        }
        int value = 0;
        int digits = 0;
        while (at < n && digits < maxDigits[k] && field.charAt(at) >= '0' && field.charAt(at) <= '9') {
          value = value * 10 + (field.charAt(at) - '0');
          digits++;
          at++;
        }
        if (digits < minDigits[k] || (at < n && field.charAt(at) >= '0' && field.charAt(at) <= '9')) {
          return null;
        }
        if (kinds[k] == 'y') {
          year = value;
        } else if (kinds[k] == 'M') {
          month = value;
        } else {
          day = value;
        }
      }
      if (at != n || year < 1 || month < 1 || month > 12 || day < 1
          || day > java.time.Month.of(month).length(Year.isLeap(year))) {
        return null;
      }
      return (int) LocalDate.of(year, month, day).toEpochDay();
    }
  }
}
