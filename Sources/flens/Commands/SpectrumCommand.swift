import ArgumentParser
import Foundation
import FourierLens

extension TransformKind: ExpressibleByArgument {}
