/// Writes delimited text that ``CSVReader`` reads back field for field (RFC 4180 quoting).
///
/// A field is quoted when it holds the delimiter, a quote, a line break, or a leading UTF-8 byte-order mark (which
/// the reader would otherwise drop at the start of a file); quotes inside are doubled. A record of one empty field
/// is written `""`, since an empty line reads as a blank line. Lines end with LF.
///
/// ```swift
/// var text = CSVWriter.line(["order", "item", "title"])
/// text += CSVWriter.line(["o1", "SKU-1", "Mug, \"large\""])  // o1,SKU-1,"Mug, ""large"""
/// ```
public enum CSVWriter {
  /// One field, quoted when it needs to be.
  /// - Parameters:
  ///   - field: the text.
  ///   - delimiter: the field delimiter (an ASCII byte other than a quote or a line break); comma by default.
  /// - Returns: the field as written.
  /// - Complexity: O(field length).
  public static func field(_ field: String, delimiter: UInt8 = UInt8(ascii: ",")) -> String {
    let needsQuotes =
      field.utf8.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
      || field.utf8.starts(with: [0xEF, 0xBB, 0xBF])
    guard needsQuotes else { return field }
    var quoted = "\""
    for character in field.unicodeScalars {
      if character == "\"" { quoted.unicodeScalars.append("\"") }
      quoted.unicodeScalars.append(character)
    }
    quoted += "\""
    return quoted
  }

  /// One record, with its line end.
  /// - Parameters:
  ///   - fields: the fields (at least one).
  ///   - delimiter: the field delimiter; comma by default.
  /// - Returns: the record as written, ending with LF.
  /// - Complexity: O(total field length).
  public static func line(_ fields: [String], delimiter: UInt8 = UInt8(ascii: ",")) -> String {
    if fields.count == 1 && fields[0].isEmpty { return "\"\"\n" }
    let separator = String(UnicodeScalar(delimiter))
    return fields.map { field($0, delimiter: delimiter) }.joined(separator: separator) + "\n"
  }
}
