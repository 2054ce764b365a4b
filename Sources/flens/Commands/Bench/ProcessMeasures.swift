import Foundation

/// What the operating system says about this process and the machine, for benchmark records.
enum ProcessMeasures {
  /// The process's maximum resident set size so far (getrusage; kilobytes on Linux).
  static func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
  }

  /// CPU time of all the process's threads.
  static func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  /// The 1, 5 and 15 minute load averages (empty when unavailable).
  static func loadAverage() -> [Double] {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) == 3 ? loads : []
  }
}
