package dea_etl.spark;

import java.time.LocalDate;
import java.time.Month;
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
  public Integer call(String text, String pattern) {
    if (text == null || pattern == null) {
      return null;
    }
    Shape shape = SHAPES.get(pattern);
    if (shape == null) {
      shape = Shape.of(pattern);
      if (SHAPES.size() < CACHED_PATTERNS) {
        SHAPES.put(pattern, shape);
      }
    }
    return shape.epochDay(text);
  }

  /**
   * One part of a pattern: a digit field ({@code field} is {@code 'M'}, {@code 'd'} or {@code 'y'}, read
   * as {@code minDigits} to {@code maxDigits} ASCII digits) or a separator ({@code field} 0, the
   * character {@code literal}).
   */
  private record Part(char field, char literal, int minDigits, int maxDigits) {}

  /** A simple pattern as its parts; {@link #NONE} (no parts) for any other pattern. */
  private static final class Shape {
    private static final Shape NONE = new Shape(new Part[0]);

    private final Part[] parts;

    private Shape(Part[] parts) {
      this.parts = parts;
    }

    static Shape of(String pattern) {
      List<Part> parts = new ArrayList<>();
      String seen = "";
      for (int i = 0; i < pattern.length(); ) {
        char c = pattern.charAt(i);
        int run = 1;
        while (i + run < pattern.length() && pattern.charAt(i + run) == c) {
          run++;
        }
        i += run;
        if (c == 'M' || c == 'd' || c == 'y') {
          boolean afterField = !parts.isEmpty() && parts.get(parts.size() - 1).field() != 0;
          boolean width = c == 'y' ? run == 4 : run <= 2;
          if (seen.indexOf(c) >= 0 || afterField || !width) {
            return NONE;  // a field twice, two fields without a separator, or another width
          }
          seen += c;
          parts.add(c == 'y' ? new Part(c, (char) 0, 4, 4) : new Part(c, (char) 0, run, 2));
        } else if (run == 1 && c < 128 && !Character.isLetterOrDigit(c) && "'[]{}#".indexOf(c) < 0) {
          parts.add(new Part((char) 0, c, 0, 0));
        } else {
          return NONE;  // another letter, a quoted text, an optional section, a doubled separator
        }
      }
      return seen.length() == 3 ? new Shape(parts.toArray(new Part[0])) : NONE;
    }

    Integer epochDay(String text) {
      if (parts.length == 0) {
        return null;
      }
      int at = 0;
      int year = 0;
      int month = 0;
      int day = 0;
      int n = text.length();
      for (Part part : parts) {
        if (part.field() == 0) {
          if (at >= n || text.charAt(at) != part.literal()) {
            return null;
          }
          at++;
          continue;
        }
        int value = 0;
        int digits = 0;
        while (at < n && digits < part.maxDigits() && isDigit(text.charAt(at))) {
          value = value * 10 + (text.charAt(at++) - '0');
          digits++;
        }
        if (digits < part.minDigits() || (at < n && isDigit(text.charAt(at)))) {
          return null;  // too few digits, or more than the field reads: Spark's parser decides
        }
        switch (part.field()) {
          case 'y' -> year = value;
          case 'M' -> month = value;
          default -> day = value;
        }
      }
      if (at != n || year < 1 || month < 1 || month > 12 || day < 1
          || day > Month.of(month).length(Year.isLeap(year))) {
        return null;
      }
      return (int) LocalDate.of(year, month, day).toEpochDay();
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }
}
