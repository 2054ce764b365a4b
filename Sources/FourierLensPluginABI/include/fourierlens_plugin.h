/*
 * fourierlens_plugin.h — the FourierLens plugin ABI. This header is the whole contract.
 *
 * A plugin library is a shared object (.so on Linux, .dylib on macOS) that exports ONE
 * symbol, `flens_plugin_entry` (see the end of this file). The host (`flens`) calls it
 * once per load with its ABI version, a table of host services and a registrar; the
 * library registers one descriptor per plugin it provides. A plugin is one of:
 *
 *   - a mask parameterization  (FLENS_KIND_MASK):         θ -> frequency mask M, and its VJP
 *   - an adversarial attack    (FLENS_KIND_ATTACK):       pixel batch -> perturbed pixel batch
 *   - an augmentation          (FLENS_KIND_AUGMENTATION): pixel batch changed in place
 *
 * Where the host looks: `--plugin-path`, then FLENS_PLUGIN_PATH (colon-separated), then
 * the directory of the `flens` binary, then ~/.local/lib/fourierlens. Every *.so / *.dylib
 * in those directories is loaded as a plugin library (and reported if it is not one),
 * except in the binary's own directory, where only files named libFL* are considered.
 *
 * Plugins may be written in C, C++, Rust, Swift (FourierLensPluginKit) or anything that
 * can export a C function. A plugin must not link the FourierLens core: everything it
 * needs from the host (transforms, frequency bands, RNG, logging, error messages) comes
 * through `flens_host_services`.
 *
 * Conventions (apply everywhere below)
 * ------------------------------------
 * Versioning. Every struct starts with `struct_size` (sizeof the struct as the producer
 *   compiled it). Members are only ever appended; a reader uses a member only when
 *   `struct_size` covers it (FLENS_HAS_MEMBER). FLENS_PLUGIN_ABI_VERSION changes when an
 *   existing member changes meaning or position; the host accepts exactly its own
 *   version and names the file and both versions otherwise.
 * Status. Every fallible operation returns a flens_status. On failure the plugin first
 *   calls `host->set_error("what went wrong")`; the host shows that message, naming the
 *   plugin and its library. A plugin never exits, aborts or longjmps out of a call.
 * Buffers. All arrays are caller-owned, contiguous, float32 (labels: int32), with their
 *   element counts passed explicitly. Images are NCHW (index ((n*C + c)*H + y)*W + x) in
 *   pixel space [0, 1]. Nothing is freed across the boundary except an instance through
 *   its own `destroy`. Pointers given to a call are valid for that call only.
 * Lifetime. The host never unloads a library (no dlclose), so descriptors, schemas and
 *   strings a library registers must stay valid for the life of the process (static
 *   storage is the natural choice). `flens_plugin_entry` may be called more than once.
 * Threads. The host never calls into one instance from two threads at once; different
 *   instances may be used concurrently. Host services are thread-safe.
 * Validation. The host validates options against the schema before `create`, and every
 *   buffer a plugin fills (sizes are the host's, values must be finite; attack and
 *   augmentation outputs must stay in [0, 1]) before using it. A plugin can therefore
 *   trust its options and sizes, and the host survives a plugin that returns garbage
 *   (though not one that crashes: plugins run in the host's process).
 */
#ifndef FOURIERLENS_PLUGIN_H
#define FOURIERLENS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------- */
/* Versions, export, status codes                                                      */
/* ---------------------------------------------------------------------------------- */

/** The ABI this header describes. Put it in every descriptor's `abi_version`. */
#define FLENS_PLUGIN_ABI_VERSION 1u

/** The one symbol the host looks up in a plugin library. */
#define FLENS_PLUGIN_ENTRY_SYMBOL "flens_plugin_entry"

#if defined(_WIN32)
#define FLENS_EXPORT __declspec(dllexport)
#else
#define FLENS_EXPORT __attribute__((visibility("default")))
#endif

/** True when a struct received from the other side is large enough to contain `member`. */
#define FLENS_HAS_MEMBER(ptr, type, member) \
  ((ptr) != NULL && (size_t)(ptr)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

/** Result of every fallible call. Zero is success. */
typedef int32_t flens_status;
enum {
  FLENS_OK = 0,
  FLENS_ERROR_INVALID_ARGUMENT = 1, /* options, shapes or sizes this plugin cannot accept */
  FLENS_ERROR_UNSUPPORTED = 2,      /* a valid request this plugin does not implement (e.g. DCT) */
  FLENS_ERROR_ABI = 3,              /* the host's ABI version is not the plugin's */
  FLENS_ERROR_NUMERICAL = 4,        /* NaN/Inf or another numerical failure */
  FLENS_ERROR_CALLBACK = 5,         /* a host callback (model, transform) failed: pass it on */
  FLENS_ERROR_OUT_OF_MEMORY = 6,
  FLENS_ERROR_INTERNAL = 7          /* anything else */
};

/** What a plugin is. */
typedef enum flens_plugin_kind {
  FLENS_KIND_MASK = 1,
  FLENS_KIND_ATTACK = 2,
  FLENS_KIND_AUGMENTATION = 3
} flens_plugin_kind;

/** The frequency transforms the host implements (the core's, used by `flens learn-mask`). */
typedef enum flens_transform {
  /** 2-D DFT, unshifted layout: coefficient [ky][kx] is frequency (ky, kx) with ky in
      0..H-1 meaning ky (ky < H/2 rounded up) or ky - H; complex, H x W per plane.
      Forward is unnormalised, inverse divides by H*W and returns the real part. */
  FLENS_TRANSFORM_DFT = 1,
  /** 2-D orthonormal DCT-II; inverse is its transpose (DCT-III). Real, H x W per plane,
      coefficient [0][0] is DC. */
  FLENS_TRANSFORM_DCT = 2
} flens_transform;

/** Log levels for host->log. */
enum { FLENS_LOG_DEBUG = 0, FLENS_LOG_INFO = 1, FLENS_LOG_WARNING = 2, FLENS_LOG_ERROR = 3 };

/* ---------------------------------------------------------------------------------- */
/* Host services: offered by the host, valid for the life of the process               */
/* ---------------------------------------------------------------------------------- */

/**
 * Services the host offers to plugins. Passed to `flens_plugin_entry`; keep the pointer.
 * All members are non-NULL in ABI 1. Functions returning flens_status have already set
 * the error message when they fail: return their status (or FLENS_ERROR_CALLBACK).
 * The first four members (struct_size, abi_version, log, set_error) keep their place in
 * every ABI version, so an entry function can always explain an ABI mismatch.
 */
typedef struct flens_host_services {
  uint32_t struct_size;
  uint32_t abi_version; /* the host's FLENS_PLUGIN_ABI_VERSION */

  /* -- messages -------------------------------------------------------------------- */
  /** Writes `message` (UTF-8, copied) to the host's log at `level` (FLENS_LOG_*). */
  void (*log)(int32_t level, const char *message);
  /** Sets the error message for the call in progress on this thread (copied; the last one
      wins). Call it before returning a failure status. */
  void (*set_error)(const char *message);

  /* -- seeded randomness: the core's SplitMix64, so every plugin in every language
        produces the same streams for the same seed ---------------------------------- */
  /** An independent seed for stream `stream` of `seed` (per image, per step, per restart). */
  uint64_t (*rng_derive)(uint64_t seed, uint64_t stream);
  /** Fills out[0..count) with uniforms in [0, 1), advancing `*state` (start: state = seed). */
  void (*rng_uniform)(uint64_t *state, float *out, uint64_t count);
  /** Fills out[0..count) with standard normals, advancing `*state`. */
  void (*rng_gaussian)(uint64_t *state, float *out, uint64_t count);

  /* -- transforms (the core's FFTW-backed code) ------------------------------------- */
  /** Forward transform of `planes` real H x W planes (e.g. N*C for an NCHW batch).
      in: planes*H*W. out_real: planes*H*W. out_imag: planes*H*W for the DFT; must be
      NULL for the DCT (which is real). */
  flens_status (*transform_forward)(uint32_t transform, uint64_t planes, uint32_t height, uint32_t width,
                                    const float *in, float *out_real, float *out_imag);
  /** Inverse transform to real planes. in_imag: as for transform_forward (NULL for DCT).
      For the DFT only the real part of the inverse is returned. out: planes*H*W. */
  flens_status (*transform_inverse)(uint32_t transform, uint64_t planes, uint32_t height, uint32_t width,
                                    const float *in_real, const float *in_imag, float *out);
  /** The core's mask operator in place: x <- T^-1(M (.) T(x)) for every channel of an NCHW
      batch, where M is H x W (mask_channels = 1, shared by all channels) or C x H x W
      (mask_channels = C), in the transform's unshifted layout. x: n*c*h*w floats. */
  flens_status (*apply_mask)(uint32_t transform, float *images, uint64_t n, uint32_t channels, uint32_t height,
                             uint32_t width, const float *mask, uint32_t mask_channels);
  /** Signed frequencies of every coefficient in the unshifted layout, in cycles per pixel:
      for the DFT fy[ky][kx] = ky/H or (ky-H)/H (numpy's fftfreq, in [-0.5, 0.5)), for the
      DCT ky/(2H) in [0, 0.5); likewise fx along the width. Each output H*W floats.
      Bundled plugins measure "normalised radius" as sqrt(fy^2 + fx^2) / (0.5 * sqrt(2)):
      0 at DC, 1 at the corner of the centred DFT spectrum. */
  flens_status (*frequency_grid)(uint32_t transform, uint32_t height, uint32_t width, float *fy, float *fx);
  /** Band index of every coefficient, exactly as `flens bands` groups them (the core's
      FrequencyBands): out[ky*W + kx] = r * angular + a. Radial band r in 0..radial-1:
      equal-width rings of the Euclidean radius in index units, from DC to the farthest
      frequency (DFT: the corner of the centred spectrum; DCT: coefficient (H-1, W-1)).
      Angular sector a in 0..angular-1: equal sectors counter-clockwise from the positive
      horizontal frequency axis, with "up" positive as the centred spectrum is displayed,
      over 360 degrees for the DFT (sector a and a + angular/2 are opposite: k and -k)
      and 90 degrees for the DCT. DC has no direction and is put in sector 0.
      out: H*W int32. */
  flens_status (*band_map)(uint32_t transform, uint32_t height, uint32_t width, uint32_t radial, uint32_t angular,
                           int32_t *out);
} flens_host_services;

/* ---------------------------------------------------------------------------------- */
/* Parameter schema and option values                                                  */
/* ---------------------------------------------------------------------------------- */

typedef enum flens_parameter_type {
  FLENS_PARAM_FLOAT = 1,  /* value.number */
  FLENS_PARAM_INT = 2,    /* value.integer (and value.number) */
  FLENS_PARAM_BOOL = 3,   /* value.integer 0 or 1; accepted spellings true/false/1/0/yes/no */
  FLENS_PARAM_STRING = 4, /* value.text */
  FLENS_PARAM_CHOICE = 5  /* value.integer = index into `choices`; value.text = the choice */
} flens_parameter_type;

/** flens_parameter.flags */
enum { FLENS_PARAM_HAS_MIN = 1u << 0, FLENS_PARAM_HAS_MAX = 1u << 1 };

/** One option a plugin accepts (`name:key=value,...` on the command line). */
typedef struct flens_parameter {
  uint32_t struct_size;
  uint32_t type;             /* flens_parameter_type */
  const char *name;          /* [a-z][a-z0-9_]*, unique within the plugin */
  const char *help;          /* one line, shown by `flens plugins` */
  const char *default_value; /* text, valid for the type (and inside min/max) */
  double minimum;            /* inclusive, FLOAT/INT only, used when flags has HAS_MIN */
  double maximum;            /* inclusive, FLOAT/INT only, used when flags has HAS_MAX */
  uint32_t flags;            /* FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX */
  const char *choices;       /* CHOICE only: alternatives separated by '|', e.g. "gaussian|butterworth" */
} flens_parameter;

/** The value of one option after the host parsed and validated it. */
typedef struct flens_value {
  double number;    /* FLOAT: the value; INT: the value as a double; otherwise 0 */
  int64_t integer;  /* INT: the value; BOOL: 0/1; CHOICE: index into choices; otherwise 0 */
  const char *text; /* the value as text (never NULL); STRING and CHOICE read it here */
} flens_value;

/** Every option of a plugin, in schema order, defaults filled in. Valid during `create`
    only: copy what the instance keeps. */
typedef struct flens_options {
  uint32_t struct_size;
  uint32_t count;            /* == the descriptor's parameter_count */
  const flens_value *values; /* values[i] belongs to parameters[i] */
} flens_options;

struct flens_plugin_descriptor;

/* ---------------------------------------------------------------------------------- */
/* Mask parameterizations                                                              */
/* ---------------------------------------------------------------------------------- */

/** flens_mask_request.layout */
enum {
  FLENS_MASK_SHARED = 1,     /* M is H x W, applied to every channel */
  FLENS_MASK_PER_CHANNEL = 2 /* M is C x H x W, one mask per channel */
};

/** What mask the host needs. */
typedef struct flens_mask_request {
  uint32_t struct_size;
  uint32_t transform; /* flens_transform: the domain M lives in (unshifted layout) */
  uint32_t layout;    /* FLENS_MASK_SHARED or FLENS_MASK_PER_CHANNEL */
  uint32_t channels;  /* C, H, W of one image */
  uint32_t height;
  uint32_t width;
  uint64_t mask_count; /* length of every mask buffer: (layout == PER_CHANNEL ? C : 1) * H * W */
} flens_mask_request;

/** The operations of a mask parameterization. All members are required except `project`. */
typedef struct flens_mask_ops {
  uint32_t struct_size;
  /** Creates an instance for `request` with validated `options`; stores it in *out_instance.
      Fails with INVALID_ARGUMENT/UNSUPPORTED (and a message) for requests it cannot serve. */
  flens_status (*create)(const struct flens_plugin_descriptor *plugin, const flens_options *options,
                         const flens_mask_request *request, void **out_instance);
  /** Number of parameters θ (at least 1). Constant for an instance. */
  uint64_t (*parameter_count)(void *instance);
  /** Writes θ0 into theta[0..theta_count). */
  flens_status (*initial_parameters)(void *instance, float *theta, uint64_t theta_count);
  /** Writes M(θ) into mask[0..mask_count). */
  flens_status (*forward)(void *instance, const float *theta, uint64_t theta_count, float *mask,
                          uint64_t mask_count);
  /** Vector-Jacobian product: writes (overwrites, not accumulates) ∂L/∂θ into
      theta_grad[0..theta_count) given θ and ∂L/∂M in mask_grad[0..mask_count). */
  flens_status (*vjp)(void *instance, const float *theta, uint64_t theta_count, const float *mask_grad,
                      uint64_t mask_count, float *theta_grad);
  /** Optional (NULL: none). Projects θ in place onto the feasible set after each optimiser
      step (for the paper's free mask: clamp to [0, 1]). */
  flens_status (*project)(void *instance, float *theta, uint64_t theta_count);
  /** Frees the instance. Never fails. */
  void (*destroy)(void *instance);
} flens_mask_ops;

/* ---------------------------------------------------------------------------------- */
/* Attacks                                                                              */
/* ---------------------------------------------------------------------------------- */

/** Objectives for flens_model.loss_grad. */
enum {
  FLENS_OBJECTIVE_CROSS_ENTROPY = 0, /* loss_i = CE(logits_i, label_i) */
  FLENS_OBJECTIVE_LOGIT_MARGIN = 1   /* loss_i = max_{j != y} z_j - z_y (larger = more wrong) */
};

/** The model under attack, as callbacks (valid during `run` only). Inputs are pixel-space
    NCHW batches; the model applies its own normalisation (x - mean) / std. */
typedef struct flens_model {
  uint32_t struct_size;
  uint32_t channels, height, width; /* C, H, W the model takes */
  uint32_t classes;                 /* K */
  const float *mean;                /* C values: the model's normalisation, for budgets */
  const float *std;                 /* C values   stated in normalised units */
  void *ctx;                        /* pass to the callbacks */
  /** out_logits: n*K floats, row-major. */
  flens_status (*logits)(void *ctx, const float *images, uint64_t n, float *out_logits);
  /** Per-image losses (out_losses: n floats) and the input gradient of sum_i w_i loss_i
      (out_grad: n*C*H*W floats, pixel space). labels: n int32 in 0..K-1. weights: n
      floats, or NULL for 1/n each (the batch mean). */
  flens_status (*loss_grad)(void *ctx, const float *images, uint64_t n, const int32_t *labels, uint32_t objective,
                            const float *weights, float *out_losses, float *out_grad);
} flens_model;

/** The operations of an attack. All members are required. */
typedef struct flens_attack_ops {
  uint32_t struct_size;
  flens_status (*create)(const struct flens_plugin_descriptor *plugin, const flens_options *options,
                         void **out_instance);
  /** Writes the adversarial batch (pixel space, in [0, 1], within the attack's budget)
      into out_images (n*c*h*w floats) for `images` (same size) with true `labels`
      (n int32). Deterministic for a given seed. */
  flens_status (*run)(void *instance, const flens_model *model, const float *images, uint64_t n, uint32_t channels,
                      uint32_t height, uint32_t width, const int32_t *labels, uint64_t seed, float *out_images);
  void (*destroy)(void *instance);
} flens_attack_ops;

/* ---------------------------------------------------------------------------------- */
/* Augmentations                                                                        */
/* ---------------------------------------------------------------------------------- */

/** The operations of an augmentation. All members are required. */
typedef struct flens_augmentation_ops {
  uint32_t struct_size;
  flens_status (*create)(const struct flens_plugin_descriptor *plugin, const flens_options *options,
                         void **out_instance);
  /** Changes images (n*c*h*w floats, pixel space) in place, keeping them in [0, 1].
      Deterministic for a given seed. */
  flens_status (*apply)(void *instance, float *images, uint64_t n, uint32_t channels, uint32_t height,
                        uint32_t width, uint64_t seed);
  void (*destroy)(void *instance);
} flens_augmentation_ops;

/* ---------------------------------------------------------------------------------- */
/* Descriptors, registration, the entry symbol                                         */
/* ---------------------------------------------------------------------------------- */

/** One plugin. Static storage; the host keeps the pointer. */
typedef struct flens_plugin_descriptor {
  uint32_t struct_size;
  uint32_t abi_version;                /* FLENS_PLUGIN_ABI_VERSION */
  uint32_t kind;                       /* flens_plugin_kind */
  uint32_t parameter_count;            /* entries in `parameters` */
  const char *name;                    /* [a-z0-9][a-z0-9_-]*, unique among loaded plugins of its kind */
  const char *summary;                 /* one line */
  const flens_parameter *parameters;   /* schema (may be NULL when parameter_count is 0) */
  const flens_mask_ops *mask;          /* kind == MASK: non-NULL; otherwise NULL */
  const flens_attack_ops *attack;      /* kind == ATTACK: non-NULL; otherwise NULL */
  const flens_augmentation_ops *augmentation; /* kind == AUGMENTATION: non-NULL; otherwise NULL */
  void *plugin_data;                   /* the plugin's own; the host never reads it */
} flens_plugin_descriptor;

/** Handed to the entry function; `add` registers one descriptor. */
typedef struct flens_registrar {
  uint32_t struct_size;
  void *host_data; /* the host's; pass `registrar` itself back to add */
  /** Registers `plugin`. Fails (with a message) when the descriptor is unusable; the
      library may go on registering others. */
  flens_status (*add)(const struct flens_registrar *registrar, const flens_plugin_descriptor *plugin);
} flens_registrar;

/**
 * The entry symbol. Its signature is frozen across ABI versions, so a host can always
 * call it and learn the library's version. An implementation:
 *   1. returns FLENS_ERROR_ABI (after host->set_error) when host_abi_version is not the
 *      FLENS_PLUGIN_ABI_VERSION it was compiled with;
 *   2. keeps `host` (valid for the life of the process);
 *   3. calls registrar->add(registrar, &descriptor) for every plugin, returns FLENS_OK.
 *
 *   FLENS_EXPORT flens_status flens_plugin_entry(uint32_t host_abi_version,
 *       const flens_host_services *host, const flens_registrar *registrar) { ... }
 */
typedef flens_status (*flens_plugin_entry_fn)(uint32_t host_abi_version, const flens_host_services *host,
                                               const flens_registrar *registrar);

#if !defined(__swift__)
/* Swift plugins define it with @_cdecl("flens_plugin_entry") through FourierLensPluginKit. */
FLENS_EXPORT flens_status flens_plugin_entry(uint32_t host_abi_version, const flens_host_services *host,
                                             const flens_registrar *registrar);
#endif

#ifdef __cplusplus
}
#endif

#endif /* FOURIERLENS_PLUGIN_H */
