import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML document (SVG figures, and the report page, which is well-formed XML),
/// built with Foundation's XMLParser. Parsing fails on anything that is not well formed.
final class XMLNode {
  let name: String
  let attributes: [String: String]
  /// Text and child elements in document order.
  enum Part {
    case text(String)
    case element(XMLNode)
  }

  var parts: [Part] = []
  weak var parent: XMLNode?

  var children: [XMLNode] { parts.compactMap { if case let .element(e) = $0 { return e }; return nil } }

  init(name: String, attributes: [String: String]) {
    self.name = name
    self.attributes = attributes
  }

  /// This node and every descendant, in document order.
  var all: [XMLNode] { [self] + children.flatMap(\.all) }

  func all(named name: String) -> [XMLNode] { all.filter { $0.name == name } }

  func first(id: String) -> XMLNode? { all.first { $0.attributes["id"] == id } }

  /// The text of this node and its descendants.
  var textContent: String {
    parts.map { part in
      switch part {
      case let .text(t): return t
      case let .element(e): return e.textContent
      }
    }.joined()
  }

  struct ParseError: Error, CustomStringConvertible {
    var description: String
  }

  static func parse(_ data: Data, name: String) throws -> XMLNode {
    let delegate = Builder()
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    guard parser.parse(), let root = delegate.root else {
      throw ParseError(description: "\(name) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "no root element") "
                       + "at line \(parser.lineNumber)")
    }
    return root
  }

  static func parse(file path: String) throws -> XMLNode {
    try parse(Data(contentsOf: URL(fileURLWithPath: path)), name: path)
  }

  private final class Builder: NSObject, XMLParserDelegate {
    var root: XMLNode?
    var stack: [XMLNode] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
      let node = XMLNode(name: elementName, attributes: attributes)
      if let top = stack.last {
        node.parent = top
        top.parts.append(.element(node))
      } else {
        root = node
      }
      stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      stack.last?.parts.append(.text(string))
    }
  }
}
