import ArgumentParser
import FourierLensTorch

/// `--arch NAME`: argument-parser takes the architecture's name and lists every case of
/// `TorchArchitecture` in help and in the error for an unknown one.
extension TorchArchitecture: ExpressibleByArgument {}
