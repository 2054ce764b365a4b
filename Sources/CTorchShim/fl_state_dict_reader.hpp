// fl_state_dict_reader.hpp — reads the state dict in a `torch.save` archive as PyTorch
// writes it, `collections.OrderedDict` included, into tensor descriptions (name, element
// type, storage record, offset, sizes, strides) whose bounds are checked. fl_torch.cpp turns
// them into tensors; Fuzz/StateDictFuzz fuzzes this file alone. It includes no libtorch, so
// the code that is fuzzed is the code that ships.
//
// Why our own reader: libtorch's unpickler (torch::pickle_load) turns an OrderedDict into
// None, so `torch.save(model.state_dict(), path)` — the way nearly everyone saves weights —
// does not load through it. A state dict is a small subset of pickle: a dict (or OrderedDict,
// with its `_metadata` attribute set by BUILD) of names to tensors rebuilt by
// `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter` from storages that the archive
// holds as `data/<key>` records. This reader interprets exactly that subset of the pickle
// opcodes (protocols 2 to 4) and refuses anything else with a message naming it; it never
// imports or calls anything.
//
// The archive is a zip file of stored (uncompressed) records, which is what torch.save
// writes; like libtorch's reader it does not check CRCs. Every offset and size read from the
// file is checked with overflow-safe arithmetic before use; every failure is a
// std::runtime_error whose message names the record or the tensor.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace fl::state_dict {

using Bytes = std::span<const uint8_t>;

[[noreturn]] inline void fail(const std::string &why) { throw std::runtime_error(why); }

/// a + b, or a failure naming `what` when it does not fit.
inline uint64_t checked_add(uint64_t a, uint64_t b, const char *what) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) fail(std::string(what) + " lies beyond the end of 64-bit offsets");
  return r;
}

/// `count` bytes at `offset` of `bytes`, or a failure naming `what`.
inline Bytes slice(Bytes bytes, uint64_t offset, uint64_t count, const char *what) {
  if (offset > bytes.size() || count > bytes.size() - offset) fail(std::string(what) + " reaches past the end of the file");
  return bytes.subspan(size_t(offset), size_t(count));
}

/// The little-endian integer of type T at `offset`.
template <class T> T little_endian(Bytes bytes, uint64_t offset, const char *what) {
  auto b = slice(bytes, offset, sizeof(T), what);
  uint64_t v = 0;
  for (size_t i = sizeof(T); i-- > 0;) v = (v << 8) | b[i];
  return T(v);
}

// MARK: - The zip archive

/// The records of a zip archive, by name below its top directory (torch.save puts every
/// record in one directory, `archive/` or the file's stem, as libtorch's reader expects).
class ZipArchive {
public:
  explicit ZipArchive(Bytes file) {
    auto [entries, directory] = central_directory(file);
    uint64_t at = 0;
    for (uint64_t i = 0; i < entries; i++) {
      if (little_endian<uint32_t>(directory, at, "a central directory entry") != 0x02014b50) fail("a damaged zip central directory");
      uint16_t method = little_endian<uint16_t>(directory, at + 10, "a central directory entry");
      uint64_t compressed = little_endian<uint32_t>(directory, at + 20, "a central directory entry");
      uint64_t size = little_endian<uint32_t>(directory, at + 24, "a central directory entry");
      uint16_t name_length = little_endian<uint16_t>(directory, at + 28, "a central directory entry");
      uint16_t extra_length = little_endian<uint16_t>(directory, at + 30, "a central directory entry");
      uint16_t comment_length = little_endian<uint16_t>(directory, at + 32, "a central directory entry");
      uint64_t local = little_endian<uint32_t>(directory, at + 42, "a central directory entry");
      auto name_bytes = slice(directory, at + 46, name_length, "a record name");
      std::string name(name_bytes.begin(), name_bytes.end());
      // Zip64: the sizes and offset that do not fit 32 bits follow in extra field 0x0001.
      auto extra = slice(directory, at + 46 + name_length, extra_length, "a record's extra field");
      for (uint64_t e = 0; e + 4 <= extra.size();) {
        uint16_t id = little_endian<uint16_t>(extra, e, "a record's extra field");
        uint16_t length = little_endian<uint16_t>(extra, e + 2, "a record's extra field");
        auto field = slice(extra, e + 4, length, "a record's extra field");
        if (id == 0x0001) {
          uint64_t f = 0;
          for (uint64_t *value : {&size, &compressed, &local}) {
            if (*value != 0xffffffff) continue;
            *value = little_endian<uint64_t>(field, f, "a zip64 extra field");
            f += 8;
          }
        }
        e += 4 + uint64_t(length);
      }
      at += 46 + uint64_t(name_length) + extra_length + comment_length;
      if (method != 0 || compressed != size) fail("record " + name + " is compressed (method " + std::to_string(method) + "), which torch.save never does");
      // The data follows the record's local header, whose name and extra field may differ in length.
      if (little_endian<uint32_t>(file, local, "a local header") != 0x04034b50) fail("record " + name + " has no local header");
      uint64_t data = checked_add(local, 30, "a record");
      data = checked_add(data, little_endian<uint16_t>(file, local + 26, "a local header"), "a record");
      data = checked_add(data, little_endian<uint16_t>(file, local + 28, "a local header"), "a record");
      auto bytes = slice(file, data, size, ("record " + name).c_str());
      if (records_.empty()) prefix_ = name.substr(0, name.find('/') + 1);
      if (!records_.emplace(name, bytes).second) fail("record " + name + " appears twice");
    }
  }

  /// Record `name` (relative to the top directory), if the archive has it.
  std::optional<Bytes> record(const std::string &name) const {
    auto it = records_.find(prefix_ + name);
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }

private:
  std::map<std::string, Bytes> records_;
  std::string prefix_;

  /// The number of entries and the bytes of the central directory, from the end-of-central-
  /// directory record (and its zip64 version when a value does not fit its 16 or 32 bits).
  static std::pair<uint64_t, Bytes> central_directory(Bytes file) {
    if (file.size() < 22) fail("shorter than a zip archive's end record");
    // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
    size_t end = file.size() - 22, lowest = file.size() > 22 + 65535 ? file.size() - 22 - 65535 : 0;
    while (little_endian<uint32_t>(file, end, "the end record") != 0x06054b50) {
      if (end == lowest) fail("not a zip archive (no end-of-central-directory record)");
      end--;
    }
    uint64_t entries = little_endian<uint16_t>(file, end + 10, "the end record");
    uint64_t size = little_endian<uint32_t>(file, end + 12, "the end record");
    uint64_t offset = little_endian<uint32_t>(file, end + 16, "the end record");
    if (entries == 0xffff || size == 0xffffffff || offset == 0xffffffff) {
      if (end < 20 || little_endian<uint32_t>(file, end - 20, "the zip64 locator") != 0x07064b50) fail("a zip64 archive without its locator");
      uint64_t end64 = little_endian<uint64_t>(file, end - 20 + 8, "the zip64 locator");
      if (little_endian<uint32_t>(file, end64, "the zip64 end record") != 0x06064b50) fail("a damaged zip64 end record");
      entries = little_endian<uint64_t>(file, end64 + 32, "the zip64 end record");
      size = little_endian<uint64_t>(file, end64 + 40, "the zip64 end record");
      offset = little_endian<uint64_t>(file, end64 + 48, "the zip64 end record");
    }
    return {entries, slice(file, offset, size, "the central directory")};
  }
};

// MARK: - Tensor descriptions

/// The element types of `torch.<Name>Storage` classes.
enum class DType : uint8_t { Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };

inline size_t element_size(DType t) {
  switch (t) {
  case DType::Float64: case DType::Int64: return 8;
  case DType::Float32: case DType::Int32: return 4;
  case DType::Float16: case DType::BFloat16: case DType::Int16: return 2;
  case DType::Int8: case DType::UInt8: case DType::Bool: return 1;
  }
  return 1;
}

inline DType storage_type(const std::string &name) {
  static const std::map<std::string, DType> types = {
      {"FloatStorage", DType::Float32},      {"DoubleStorage", DType::Float64}, {"HalfStorage", DType::Float16},
      {"BFloat16Storage", DType::BFloat16}, {"LongStorage", DType::Int64},     {"IntStorage", DType::Int32},
      {"ShortStorage", DType::Int16},        {"CharStorage", DType::Int8},      {"ByteStorage", DType::UInt8},
      {"BoolStorage", DType::Bool},
  };
  auto it = types.find(name);
  if (it == types.end()) fail("unsupported storage type torch." + name);
  return it->second;
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage record.
struct TensorDescription {
  std::string storage;  // the record data/<storage>
  DType dtype = DType::Float32;
  int64_t offset = 0;   // in elements
  std::vector<int64_t> size, stride;
};

/// One tensor of a state dict, its bounds checked against its storage.
struct NamedTensor {
  std::string name;
  TensorDescription tensor;
  Bytes storage;  // the bytes of record data/<tensor.storage>, whole elements only
  int64_t numel = 0;
};

/// Refuses a tensor (named `name`) that does not lie inside its storage of `elements`
/// elements, or that holds more elements than its storage (an expanded view, saved as is,
/// would let a tiny file ask for any amount of memory); returns its element count.
inline int64_t checked_numel(const std::string &name, const TensorDescription &t, int64_t elements) {
  auto bad = [&](const std::string &why) { fail("tensor '" + name + "' " + why); };
  if (t.size.size() != t.stride.size()) bad("has " + std::to_string(t.size.size()) + " sizes but " + std::to_string(t.stride.size()) + " strides");
  if (t.offset < 0) bad("has a negative storage offset " + std::to_string(t.offset));
  int64_t numel = 1, last = t.offset;  // the last element the view reads
  for (size_t i = 0; i < t.size.size(); i++) {
    if (t.size[i] < 0) bad("has a negative size " + std::to_string(t.size[i]) + " in dimension " + std::to_string(i));
    if (t.stride[i] < 0) bad("has a negative stride " + std::to_string(t.stride[i]) + " in dimension " + std::to_string(i));
    if (__builtin_mul_overflow(numel, t.size[i], &numel)) bad("has more elements than 64 bits count");
  }
  if (numel == 0) return 0;
  for (size_t i = 0; i < t.size.size(); i++) {
    int64_t reach;
    if (__builtin_mul_overflow(t.size[i] - 1, t.stride[i], &reach) || __builtin_add_overflow(last, reach, &last)) {
      bad("reaches beyond 64-bit offsets of its storage data/" + t.storage);
    }
  }
  if (last >= elements) {
    bad("reaches element " + std::to_string(last) + " of its storage data/" + t.storage + ", which holds " + std::to_string(elements));
  }
  if (numel > elements) bad("has " + std::to_string(numel) + " elements, more than its storage data/" + t.storage + " holds (save it contiguous)");
  return numel;
}

// MARK: - The pickle

namespace pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

/// A module-qualified name pushed by GLOBAL (a class or function; never resolved).
struct Global {
  std::string module, name;
  std::string qualified() const { return module + "." + name; }
};
/// A storage named by a persistent id: its archive record and element type.
struct Storage {
  std::string key;
  DType dtype;
};
struct Mark {};
using Items = std::vector<ValuePtr>;
struct Tuple {
  Items items;
};
struct List {
  Items items;
};
struct Dict {
  std::vector<std::pair<ValuePtr, ValuePtr>> items;
};

/// A value on the stack. A container placed inside another is frozen (no APPEND or SETITEM
/// may change it after), as pickle writes a container's items before the container itself
/// joins its parent: so no value can contain itself (no cycles, which shared pointers would
/// leak), and `depth` stays true once a value has a parent.
struct Value {
  std::variant<std::monostate, bool, int64_t, double, std::string, Global, Storage, Mark, Tuple, List, Dict, TensorDescription> v;
  bool frozen = false;
  int depth = 0;
};

/// Deeper containers than a state dict ever has are refused (freeing a deep chain of shared
/// pointers recurses once per level).
inline constexpr int max_depth = 64;

inline ValuePtr make(decltype(Value::v) v) { return std::make_shared<Value>(Value{std::move(v)}); }

class Reader {
public:
  explicit Reader(Bytes bytes) : bytes_(bytes) {}

  ValuePtr run() {
    while (true) {
      uint8_t op = byte();
      switch (op) {
      case 0x80: byte(); break;              // PROTO
      case 0x95: fixed<uint64_t>(); break;   // FRAME
      case '.': return pop();                // STOP
      case '(': push(make(Mark{})); break;
      case ')': push(make(Tuple{})); break;
      case ']': push(make(List{})); break;
      case '}': push(make(Dict{})); break;
      case 'N': push(make(std::monostate{})); break;
      case 0x88: push(make(true)); break;
      case 0x89: push(make(false)); break;
      case 'K': push(make(int64_t(byte()))); break;
      case 'M': push(make(int64_t(fixed<uint16_t>()))); break;
      case 'J': push(make(int64_t(fixed<int32_t>()))); break;
      case 0x8a: push(make(long1())); break;
      case 'G': push(make(big_endian_double())); break;
      case 'X': push(make(text(fixed<uint32_t>()))); break;
      case 0x8c: push(make(text(byte()))); break;             // SHORT_BINUNICODE
      case 0x8d: push(make(text(fixed<uint64_t>()))); break;  // BINUNICODE8
      case 'c': {
        auto module = line(), name = line();
        push(make(Global{module, name}));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        auto name = as<std::string>(pop(), "STACK_GLOBAL name"), module = as<std::string>(pop(), "STACK_GLOBAL module");
        push(make(Global{module, name}));
        break;
      }
      case 'q': memo_[byte()] = top(); break;
      case 'r': memo_[fixed<uint32_t>()] = top(); break;
      case 0x94: memo_[memo_.size()] = top(); break;  // MEMOIZE
      case 'h': push(memo(byte())); break;
      case 'j': push(memo(fixed<uint32_t>())); break;
      case 't': push(tuple(pop_to_mark())); break;
      case 0x85: case 0x86: case 0x87: {
        Items items(size_t(op - 0x84));
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        push(tuple(std::move(items)));
        break;
      }
      case 'a': {
        auto v = pop();
        auto list = top();
        adopt(list, v);
        as_list(list).items.push_back(v);
        break;
      }
      case 'e': {
        auto items = pop_to_mark();
        auto list = top();
        for (const auto &v : items) adopt(list, v);
        auto &l = as_list(list).items;
        l.insert(l.end(), items.begin(), items.end());
        break;
      }
      case 's': {
        auto v = pop(), k = pop();
        auto dict = top();
        adopt(dict, k), adopt(dict, v);
        as_dict(dict).items.emplace_back(k, v);
        break;
      }
      case 'u': {
        auto items = pop_to_mark();
        if (items.size() % 2) fail("SETITEMS with an odd number of items");
        auto dict = top();
        for (const auto &v : items) adopt(dict, v);
        auto &d = as_dict(dict).items;
        for (size_t i = 0; i < items.size(); i += 2) d.emplace_back(items[i], items[i + 1]);
        break;
      }
      case 'Q': push(persistent(pop())); break;
      case 'R': {
        auto args = pop(), callable = pop();
        push(reduce(callable, args));
        break;
      }
      case 'b': pop(); break;  // BUILD: an OrderedDict's `_metadata`, a parameter's state: not needed
      default:
        fail("unsupported pickle opcode 0x" + hex(op));
      }
    }
  }

private:
  Bytes bytes_;
  size_t at_ = 0;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;

  static std::string hex(uint8_t b) {
    const char *d = "0123456789abcdef";
    return {d[b >> 4], d[b & 15]};
  }

  uint8_t byte() {
    if (at_ >= bytes_.size()) fail("the pickle ends early");
    return bytes_[at_++];
  }
  template <class T> T fixed() {
    auto v = little_endian<T>(bytes_, at_, "the pickle");
    at_ += sizeof(T);
    return v;
  }
  int64_t long1() {
    uint8_t n = byte();
    if (n > 8) fail("an integer wider than 64 bits");
    uint64_t v = 0;
    for (uint8_t i = 0; i < n; i++) v |= uint64_t(byte()) << (8 * i);
    if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
    return int64_t(v);
  }
  double big_endian_double() {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | byte();
    double d;
    std::memcpy(&d, &v, 8);
    return d;
  }
  std::string text(uint64_t n) {
    auto b = slice(bytes_, at_, n, "a pickled string");
    at_ += b.size();
    return std::string(b.begin(), b.end());
  }
  std::string line() {
    std::string s;
    for (char c; (c = char(byte())) != '\n';) s += c;
    return s;
  }

  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr pop() {
    if (stack_.empty()) fail("the pickle pops an empty stack");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  ValuePtr top() {
    if (stack_.empty()) fail("the pickle reads an empty stack");
    return stack_.back();
  }
  ValuePtr memo(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("the pickle refers to an unknown memo entry");
    return it->second;
  }
  Items pop_to_mark() {
    Items items;
    while (true) {
      auto v = pop();
      if (std::holds_alternative<Mark>(v->v)) break;
      items.push_back(v);
    }
    return Items(items.rbegin(), items.rend());
  }
  /// `child` joins `parent`: the child is frozen and the parent's depth follows it.
  static void adopt(const ValuePtr &parent, const ValuePtr &child) {
    if (parent->frozen) fail("the pickle changes a container after placing it in another");
    if (child.get() == parent.get()) fail("the pickle places a container inside itself");
    if (std::holds_alternative<Mark>(child->v)) fail("the pickle places a MARK inside a container");
    child->frozen = true;
    parent->depth = std::max(parent->depth, child->depth + 1);
    if (parent->depth > max_depth) fail("containers nested deeper than " + std::to_string(max_depth) + " levels");
  }
  static ValuePtr tuple(Items items) {
    auto t = make(Tuple{});
    for (const auto &v : items) adopt(t, v);
    std::get<Tuple>(t->v).items = std::move(items);
    return t;
  }
  template <class T> static const T &as(const ValuePtr &v, const std::string &what) {
    if (auto *p = std::get_if<T>(&v->v)) return *p;
    fail("unexpected value for " + what);
  }
  static List &as_list(const ValuePtr &v) {
    if (auto *p = std::get_if<List>(&v->v)) return *p;
    fail("APPEND to something that is not a list");
  }
  static Dict &as_dict(const ValuePtr &v) {
    if (auto *p = std::get_if<Dict>(&v->v)) return *p;
    fail("SETITEM on something that is not a dict");
  }

  /// ('storage', torch.<T>Storage, key, location, numel) → the storage's record.
  ValuePtr persistent(const ValuePtr &id) {
    const auto &t = as<Tuple>(id, "a persistent id").items;
    if (t.size() < 3 || as<std::string>(t[0], "a persistent id") != "storage") fail("a persistent id that is not a storage");
    const auto &cls = as<Global>(t[1], "a storage type");
    return make(Storage{as<std::string>(t[2], "a storage key"), storage_type(cls.name)});
  }

  static std::vector<int64_t> ints(const ValuePtr &v, const std::string &what) {
    std::vector<int64_t> out;
    for (const auto &item : as<Tuple>(v, what).items) out.push_back(as<int64_t>(item, what));
    return out;
  }

  /// The only calls a state dict makes.
  ValuePtr reduce(const ValuePtr &callable, const ValuePtr &args) {
    const auto &g = as<Global>(callable, "a REDUCE callable");
    const auto &a = as<Tuple>(args, g.qualified() + " arguments").items;
    if (g.qualified() == "collections.OrderedDict") return make(Dict{});
    if (g.qualified() == "torch._utils._rebuild_tensor_v2" || g.qualified() == "torch._utils._rebuild_tensor") {
      if (a.size() < 4) fail(g.qualified() + " with too few arguments");
      const auto &storage = as<Storage>(a[0], "a tensor's storage");
      return make(TensorDescription{storage.key, storage.dtype, as<int64_t>(a[1], "a tensor's storage offset"),
                                    ints(a[2], "a tensor's size"), ints(a[3], "a tensor's stride")});
    }
    if (g.qualified() == "torch._utils._rebuild_parameter" || g.qualified() == "torch.jit._pickle.restore_type_tag") {
      if (a.empty()) fail(g.qualified() + " without arguments");
      return a[0];  // a parameter is its tensor; a type tag wraps the tagged value
    }
    fail("unsupported object " + g.qualified() + " (a state dict holds tensors only)");
  }
};

} // namespace pickle

/// The named tensors of a `torch.save` archive's top-level dict (plain or OrderedDict), in
/// the archive's order, each checked to lie inside its storage record.
inline std::vector<NamedTensor> read_state_dict(Bytes file) {
  ZipArchive archive(file);
  auto data = archive.record("data.pkl");
  if (!data) fail("the archive has no data.pkl");
  if (auto order = archive.record("byteorder"); order && std::string(order->begin(), order->end()) != "little") {
    fail("a big-endian archive");
  }
  auto top = pickle::Reader(*data).run();
  auto *dict = std::get_if<pickle::Dict>(&top->v);
  if (!dict) fail("it holds something other than a dict of tensors");
  std::vector<NamedTensor> out;
  for (const auto &[k, v] : dict->items) {
    auto *name = std::get_if<std::string>(&k->v);
    if (!name) fail("a key of the state dict is not a string");
    auto *tensor = std::get_if<TensorDescription>(&v->v);
    if (!tensor) fail("entry '" + *name + "' is not a tensor");
    auto record = archive.record("data/" + tensor->storage);
    if (!record) fail("tensor '" + *name + "': the archive lacks its storage data/" + tensor->storage);
    size_t element = element_size(tensor->dtype);
    auto storage = record->first(record->size() - record->size() % element);
    int64_t numel = checked_numel(*name, *tensor, int64_t(storage.size() / element));
    out.push_back(NamedTensor{*name, *tensor, storage, numel});
  }
  return out;
}

} // namespace fl::state_dict
