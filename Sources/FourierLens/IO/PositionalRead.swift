import Foundation

/// Reads a byte range of an open file with `pread`, retrying interrupted and partial
/// reads: the one read loop of the dataset readers, which fetch images by index from
/// several threads through one descriptor (no shared file offset).
enum PositionalRead {
  /// The range could not be read in full.
  struct Short: Error {
    /// Bytes read before the end of the file or the error.
    var bytesRead: Int
    /// The system's reason when a read failed; nil when the file simply ended.
    var systemError: String?
  }

  /// Fills `count` bytes at `buffer` from byte `offset` of `fd`.
  static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
    var got = 0
    while got < count {
      let m = pread(fd, buffer + got, count - got, off_t(offset + got))
      if m < 0 && errno == EINTR { continue }
      guard m > 0 else {
        throw Short(bytesRead: got, systemError: m < 0 ? String(cString: strerror(errno)) : nil)
      }
      got += m
    }
  }
}
