// TEMPORARY until the frequency branch is merged (it defines these in Frequency/TransformKind.swift).
public enum TransformKind: String, Codable, CaseIterable, Sendable {
  case dft
  case dct
}

public enum MaskLayout: String, Codable, Sendable {
  case shared, perChannel
}
