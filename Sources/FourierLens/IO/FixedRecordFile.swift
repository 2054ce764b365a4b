import Foundation

/// A file of equal-sized records after a header: the images of an MNIST IDX file or of a
/// `.npy` array, the label-and-image records of a CIFAR-10 batch file. The one record reader
/// of the dataset formats: it checks every index, reads consecutive records with one `pread`
/// (no shared file offset, so batches may be read from several threads through one
/// descriptor) and names the file and the record when the file ends early or a read fails.
final class FixedRecordFile: @unchecked Sendable {  // immutable after init; pread is thread-safe
  let path: String
  /// Records in the file (checked against its size by the format's reader).
  let count: Int
  let recordBytes: Int
  private let fd: Int32
  private let dataOffset: Int

  /// Opens `path`; `size(st_size)` (the file's size in bytes) returns the record count, or
  /// throws when the size does not fit the format.
  init(path: String, dataOffset: Int, recordBytes: Int, count: (Int) throws -> Int) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FourierLensError.badFile(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw FourierLensError.badFile(path: path, reason: "cannot stat: \(reason)")
    }
    do {
      self.count = try count(Int(st.st_size))
    } catch {
      close(fd)
      throw error
    }
    self.path = path
    self.fd = fd
    self.dataOffset = dataOffset
    self.recordBytes = recordBytes
  }

  deinit { close(fd) }

  /// Calls `body(k, record)` for each `indices[k]`, in order, with that record's bytes (valid
  /// only during the call). An index outside the file is an error naming the file.
  func forEachRecord(_ indices: [Int], _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
    let maxRun = max(1, min(indices.count, (1 << 20) / max(1, recordBytes)))  // reads of about 1 MiB at most
    var buffer = [UInt8](repeating: 0, count: maxRun * recordBytes)
    try buffer.withUnsafeMutableBytes { buf in
      var k = 0
      while k < indices.count {
        let first = indices[k]
        guard first >= 0 && first < count else {
          throw FourierLensError.message("index \(first) outside the \(count) images of \(path)")
        }
        var run = 1
        while k + run < indices.count, run < maxRun, first + run < count, indices[k + run] == first + run { run += 1 }
        try read(into: buf.baseAddress!, bytes: run * recordBytes, at: dataOffset + first * recordBytes, firstRecord: first)
        for j in 0 ..< run {
          try body(k + j, UnsafeRawBufferPointer(rebasing: buf[j * recordBytes ..< (j + 1) * recordBytes]))
        }
        k += run
      }
    }
  }

  /// Fills `bytes` bytes from byte `offset`, retrying interrupted and partial reads.
  private func read(into buffer: UnsafeMutableRawPointer, bytes: Int, at offset: Int, firstRecord: Int) throws {
    var got = 0
    while got < bytes {
      let m = pread(fd, buffer + got, bytes - got, off_t(offset + got))
      if m < 0 && errno == EINTR { continue }
      guard m > 0 else {
        let reason = m < 0 ? "read failed at record \(firstRecord + got / recordBytes): \(String(cString: strerror(errno)))"
          : "truncated: record \(firstRecord + got / recordBytes) is incomplete"
        throw FourierLensError.badFile(path: path, reason: reason)
      }
      got += m
    }
  }
}
