import Foundation

/// A table written as RFC 4180 CSV: a header row and rows of cells, quoted when needed.
public struct CSVTable: Equatable, Sendable {
  public var header: [String]
  public var rows: [[String]]

  public init(header: [String], rows: [[String]] = []) {
    self.header = header
    self.rows = rows
  }

  public mutating func append(_ cells: [String]) {
    precondition(cells.count == header.count, "a row of \(cells.count) cells for \(header.count) columns")
    rows.append(cells)
  }

  /// Appends a row of numbers and labels; numbers are written with full float precision.
  public mutating func append(_ cells: [CustomStringConvertible]) {
    append(cells.map { "\($0)" })
  }

  public var text: String {
    func quote(_ s: String) -> String {
      s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    return ([header] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  public func write(to path: String) throws { try AtomicFile.write(text, to: path) }
}
