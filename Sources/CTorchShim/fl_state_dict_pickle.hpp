// fl_state_dict_pickle.hpp — reads the state dict in a `torch.save` archive as PyTorch
// writes it, `collections.OrderedDict` included.
//
// Why our own reader: libtorch's unpickler (torch::pickle_load) turns an OrderedDict into
// None, so `torch.save(model.state_dict(), path)` — the way nearly everyone saves weights —
// does not load through it. A state dict is a small subset of pickle: a dict (or OrderedDict,
// with its `_metadata` attribute set by BUILD) of names to tensors rebuilt by
// `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter` from storages that the archive
// holds as `data/<key>` records. This reader interprets exactly that subset of the pickle
// opcodes (protocols 2 to 4) and refuses anything else with a message naming it; it never
// imports or calls anything.
#pragma once
#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace fl::pickle {

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
  torch::ScalarType dtype;
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

struct Value {
  std::variant<std::monostate, bool, int64_t, double, std::string, Global, Storage, Mark, Tuple, List, Dict, torch::Tensor> v;
};

inline ValuePtr make(decltype(Value::v) v) { return std::make_shared<Value>(Value{std::move(v)}); }

/// The element type of a `torch.<Name>Storage` class.
inline torch::ScalarType storage_type(const std::string &name) {
  static const std::map<std::string, torch::ScalarType> types = {
      {"FloatStorage", torch::kFloat},     {"DoubleStorage", torch::kDouble},  {"HalfStorage", torch::kHalf},
      {"BFloat16Storage", torch::kBFloat16}, {"LongStorage", torch::kLong},    {"IntStorage", torch::kInt},
      {"ShortStorage", torch::kShort},     {"CharStorage", torch::kChar},      {"ByteStorage", torch::kByte},
      {"BoolStorage", torch::kBool},
  };
  auto it = types.find(name);
  if (it == types.end()) throw std::runtime_error("unsupported storage type torch." + name);
  return it->second;
}

class Reader {
public:
  /// `load_storage(key, dtype)` returns the 1-d tensor of record data/<key>.
  Reader(const std::vector<char> &bytes, std::function<torch::Tensor(const std::string &, torch::ScalarType)> load_storage)
      : bytes_(bytes), load_storage_(std::move(load_storage)) {}

  ValuePtr run() {
    while (true) {
      uint8_t op = byte();
      switch (op) {
      case 0x80: byte(); break;              // PROTO
      case 0x95: fixed<uint64_t>(); break;   // FRAME
      case '.': return pop();                // STOP
      case '(': stack_.push_back(make(Mark{})); break;
      case ')': stack_.push_back(make(Tuple{})); break;
      case ']': stack_.push_back(make(List{})); break;
      case '}': stack_.push_back(make(Dict{})); break;
      case 'N': stack_.push_back(make(std::monostate{})); break;
      case 0x88: stack_.push_back(make(true)); break;
      case 0x89: stack_.push_back(make(false)); break;
      case 'K': stack_.push_back(make(int64_t(byte()))); break;
      case 'M': stack_.push_back(make(int64_t(fixed<uint16_t>()))); break;
      case 'J': stack_.push_back(make(int64_t(fixed<int32_t>()))); break;
      case 0x8a: stack_.push_back(make(long1())); break;
      case 'G': stack_.push_back(make(big_endian_double())); break;
      case 'X': stack_.push_back(make(text(fixed<uint32_t>()))); break;
      case 0x8c: stack_.push_back(make(text(byte()))); break;      // SHORT_BINUNICODE
      case 0x8d: stack_.push_back(make(text(fixed<uint64_t>()))); break;  // BINUNICODE8
      case 'c': {
        auto module = line(), name = line();
        stack_.push_back(make(Global{module, name}));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        auto name = as<std::string>(pop(), "STACK_GLOBAL name"), module = as<std::string>(pop(), "STACK_GLOBAL module");
        stack_.push_back(make(Global{module, name}));
        break;
      }
      case 'q': memo_[byte()] = top(); break;
      case 'r': memo_[fixed<uint32_t>()] = top(); break;
      case 0x94: memo_[memo_.size()] = top(); break;  // MEMOIZE
      case 'h': stack_.push_back(memo(byte())); break;
      case 'j': stack_.push_back(memo(fixed<uint32_t>())); break;
      case 't': stack_.push_back(make(Tuple{pop_to_mark()})); break;
      case 0x85: case 0x86: case 0x87: {
        Items items(size_t(op - 0x84));
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        stack_.push_back(make(Tuple{std::move(items)}));
        break;
      }
      case 'a': {
        auto v = pop();
        as_list(top()).items.push_back(v);
        break;
      }
      case 'e': {
        auto items = pop_to_mark();
        auto &list = as_list(top()).items;
        list.insert(list.end(), items.begin(), items.end());
        break;
      }
      case 's': {
        auto v = pop(), k = pop();
        as_dict(top()).items.emplace_back(k, v);
        break;
      }
      case 'u': {
        auto items = pop_to_mark();
        if (items.size() % 2) fail("SETITEMS with an odd number of items");
        auto &dict = as_dict(top()).items;
        for (size_t i = 0; i < items.size(); i += 2) dict.emplace_back(items[i], items[i + 1]);
        break;
      }
      case 'Q': stack_.push_back(persistent(pop())); break;
      case 'R': {
        auto args = pop(), callable = pop();
        stack_.push_back(reduce(callable, args));
        break;
      }
      case 'b': pop(); break;  // BUILD: an OrderedDict's `_metadata`, a parameter's state: not needed
      default:
        fail("unsupported pickle opcode 0x" + hex(op));
      }
    }
  }

private:
  const std::vector<char> &bytes_;
  std::function<torch::Tensor(const std::string &, torch::ScalarType)> load_storage_;
  size_t at_ = 0;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;

  [[noreturn]] static void fail(const std::string &why) { throw std::runtime_error(why); }
  static std::string hex(uint8_t b) {
    const char *d = "0123456789abcdef";
    return {d[b >> 4], d[b & 15]};
  }

  uint8_t byte() {
    if (at_ >= bytes_.size()) fail("the pickle ends early");
    return uint8_t(bytes_[at_++]);
  }
  template <class T> T fixed() {
    if (bytes_.size() - at_ < sizeof(T)) fail("the pickle ends early");
    T v;
    std::memcpy(&v, bytes_.data() + at_, sizeof(T));  // little-endian, as pickle stores it
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
    if (bytes_.size() - at_ < n) fail("the pickle ends early");
    std::string s(bytes_.data() + at_, size_t(n));
    at_ += size_t(n);
    return s;
  }
  std::string line() {
    std::string s;
    for (char c; (c = char(byte())) != '\n';) s += c;
    return s;
  }

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
      items.insert(items.begin(), v);
    }
    return items;
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
      auto offset = as<int64_t>(a[1], "a tensor's storage offset");
      auto data = load_storage_(storage.key, storage.dtype);
      auto size = ints(a[2], "a tensor's size"), stride = ints(a[3], "a tensor's stride");
      int64_t needed = offset + 1;
      for (size_t i = 0; i < size.size(); i++) {
        if (size[i] == 0) needed = 0;
        if (needed) needed += (size[i] - 1) * stride[i];
      }
      if (offset < 0 || needed > data.numel()) fail("a tensor reaches outside its storage data/" + storage.key);
      return make(data.as_strided(size, stride, offset).clone());
    }
    if (g.qualified() == "torch._utils._rebuild_parameter" || g.qualified() == "torch.jit._pickle.restore_type_tag") {
      if (a.empty()) fail(g.qualified() + " without arguments");
      return a[0];  // a parameter is its tensor; a type tag wraps the tagged value
    }
    fail("unsupported object " + g.qualified() + " (a state dict holds tensors only)");
  }
};

/// The named tensors of a `torch.save` archive's top-level dict (plain or OrderedDict).
inline std::vector<std::pair<std::string, torch::Tensor>> read_state_dict(const std::string &path) {
  caffe2::serialize::PyTorchStreamReader archive(path);
  auto [pickle, pickle_size] = archive.getRecord("data.pkl");
  std::vector<char> bytes(static_cast<char *>(pickle.get()), static_cast<char *>(pickle.get()) + pickle_size);
  Reader reader(bytes, [&](const std::string &key, torch::ScalarType dtype) {
    auto record = "data/" + key;
    if (!archive.hasRecord(record)) throw std::runtime_error("the archive lacks the storage " + record);
    auto [data, size] = archive.getRecord(record);
    size_t element = c10::elementSize(dtype);
    auto storage = torch::empty({int64_t(size / element)}, torch::TensorOptions(dtype));
    std::memcpy(storage.data_ptr(), data.get(), size - size % element);
    return storage;
  });
  auto top = reader.run();
  auto *dict = std::get_if<Dict>(&top->v);
  if (!dict) throw std::runtime_error("it holds something other than a dict of tensors");
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto &[k, v] : dict->items) {
    auto *name = std::get_if<std::string>(&k->v);
    if (!name) throw std::runtime_error("a key of the state dict is not a string");
    auto *tensor = std::get_if<torch::Tensor>(&v->v);
    if (!tensor) throw std::runtime_error("entry '" + *name + "' is not a tensor");
    out.emplace_back(*name, *tensor);
  }
  return out;
}

} // namespace fl::pickle
