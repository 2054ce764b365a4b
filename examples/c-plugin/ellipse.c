/*
 * ellipse.c: a FourierLens mask parameterization in plain C.
 *
 * An elliptical low-pass with learned semi-axes a (horizontal frequency) and b
 * (vertical frequency) and a smooth sigmoid edge:
 *
 *     q(k)  = (fx(k) / a)^2 + (fy(k) / b)^2         fx, fy in units of Nyquist (|f| <= 1)
 *     M(k)  = sigmoid(s * (1 - q(k)))               s = the `sharpness` option
 *
 * so M = 1/2 on the ellipse, ~1 inside, ~0 outside. Two parameters per mask plane
 * (theta = [a, b], or [a0, b0, a1, b1, ...] for per-channel masks). Useful for asking
 * whether a model needs more horizontal than vertical detail.
 *
 * Build (from the repository root):
 *     cc -shared -fPIC -O2 -I Sources/FourierLensPluginABI/include -o libellipse.so examples/c-plugin/ellipse.c -lm
 * Use:
 *     flens plugins --plugin-path . ; flens plugins check ellipse --plugin-path .
 *     flens learn-mask ... --param ellipse:a=0.5,b=0.5,sharpness=12 --plugin-path .
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fourierlens_plugin.h"

/* The host's services: kept from the entry call, valid for the life of the process. */
static const flens_host_services *host;

/* One instance per request: the frequency grid and the options it was created with. */
typedef struct {
  uint64_t planes;     /* mask planes: 1 (shared) or C (per channel) */
  uint64_t plane_size; /* H * W */
  float *fx, *fy;      /* frequencies of one plane, in units of Nyquist */
  float a0, b0, sharpness, min_axis;
} ellipse;

/* Option schema: index i here is values[i] in flens_options. */
enum { OPT_A, OPT_B, OPT_SHARPNESS, OPT_MIN_AXIS, OPT_COUNT };
static const flens_parameter parameters[OPT_COUNT] = {
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "a", "initial horizontal semi-axis (1 = Nyquist)", "0.5",
   0.001, 2, FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "b", "initial vertical semi-axis (1 = Nyquist)", "0.5",
   0.001, 2, FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "sharpness", "steepness s of the sigmoid edge", "10",
   0.1, 1000, FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "min_axis", "smallest semi-axis the projection allows", "0.01",
   0.0001, 1, FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
};

static void destroy(void *p) {
  ellipse *e = p;
  if (!e) return;
  free(e->fx);
  free(e->fy);
  free(e);
}

static flens_status create(const flens_plugin_descriptor *self, const flens_options *options,
                           const flens_mask_request *request, void **out) {
  (void)self;
  ellipse *e = calloc(1, sizeof *e);
  if (!e) return FLENS_ERROR_OUT_OF_MEMORY;
  e->planes = request->layout == FLENS_MASK_PER_CHANNEL ? request->channels : 1;
  e->plane_size = (uint64_t)request->height * request->width;
  e->a0 = (float)options->values[OPT_A].number;
  e->b0 = (float)options->values[OPT_B].number;
  e->sharpness = (float)options->values[OPT_SHARPNESS].number;
  e->min_axis = (float)options->values[OPT_MIN_AXIS].number;
  e->fx = malloc(e->plane_size * sizeof(float));
  e->fy = malloc(e->plane_size * sizeof(float));
  if (!e->fx || !e->fy) { destroy(e); return FLENS_ERROR_OUT_OF_MEMORY; }
  /* The host's frequency grid (cycles per pixel, unshifted layout), scaled to Nyquist = 1. */
  flens_status s = host->frequency_grid(request->transform, request->height, request->width, e->fy, e->fx);
  if (s != FLENS_OK) { destroy(e); return s; }
  for (uint64_t k = 0; k < e->plane_size; k++) { e->fx[k] *= 2; e->fy[k] *= 2; }
  *out = e;
  return FLENS_OK;
}

static uint64_t parameter_count(void *p) { return 2 * ((ellipse *)p)->planes; }

static flens_status initial_parameters(void *p, float *theta, uint64_t n) {
  ellipse *e = p;
  for (uint64_t i = 0; i < n; i += 2) { theta[i] = e->a0; theta[i + 1] = e->b0; }
  return FLENS_OK;
}

static int axes_ok(const float *theta, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) if (!(theta[i] > 0) || !isfinite(theta[i])) return 0;
  return 1;
}

static flens_status forward(void *p, const float *theta, uint64_t n, float *mask, uint64_t mask_count) {
  ellipse *e = p;
  (void)mask_count;
  if (!axes_ok(theta, n)) { host->set_error("ellipse: semi-axes must be positive"); return FLENS_ERROR_INVALID_ARGUMENT; }
  for (uint64_t c = 0; c < e->planes; c++) {
    float a = theta[2 * c], b = theta[2 * c + 1];
    for (uint64_t k = 0; k < e->plane_size; k++) {
      float u = e->fx[k] / a, v = e->fy[k] / b;
      mask[c * e->plane_size + k] = 1.0f / (1.0f + expf(-e->sharpness * (1.0f - u * u - v * v)));
    }
  }
  return FLENS_OK;
}

/* dL/da = sum_k dL/dM(k) * M(1-M) * s * 2 fx^2 / a^3, and likewise for b with fy. */
static flens_status vjp(void *p, const float *theta, uint64_t n, const float *grad, uint64_t mask_count,
                        float *theta_grad) {
  ellipse *e = p;
  (void)mask_count;
  if (!axes_ok(theta, n)) { host->set_error("ellipse: semi-axes must be positive"); return FLENS_ERROR_INVALID_ARGUMENT; }
  for (uint64_t c = 0; c < e->planes; c++) {
    float a = theta[2 * c], b = theta[2 * c + 1];
    double ga = 0, gb = 0;
    for (uint64_t k = 0; k < e->plane_size; k++) {
      float u = e->fx[k] / a, v = e->fy[k] / b;
      float m = 1.0f / (1.0f + expf(-e->sharpness * (1.0f - u * u - v * v)));
      float common = grad[c * e->plane_size + k] * m * (1 - m) * e->sharpness * 2;
      ga += common * u * u / a;
      gb += common * v * v / b;
    }
    theta_grad[2 * c] = (float)ga;
    theta_grad[2 * c + 1] = (float)gb;
  }
  return FLENS_OK;
}

/* Keep the axes in [min_axis, 2] after each optimiser step. */
static flens_status project(void *p, float *theta, uint64_t n) {
  ellipse *e = p;
  for (uint64_t i = 0; i < n; i++) theta[i] = fminf(2.0f, fmaxf(e->min_axis, theta[i]));
  return FLENS_OK;
}

static const flens_mask_ops ops = {
  sizeof(flens_mask_ops), create, parameter_count, initial_parameters, forward, vjp, project, destroy,
};

static const flens_plugin_descriptor descriptor = {
  .struct_size = sizeof(flens_plugin_descriptor),
  .abi_version = FLENS_PLUGIN_ABI_VERSION,
  .kind = FLENS_KIND_MASK,
  .parameter_count = OPT_COUNT,
  .name = "ellipse",
  .summary = "elliptical low-pass with learned horizontal/vertical semi-axes and a sigmoid edge",
  .parameters = parameters,
  .mask = &ops,
};

FLENS_EXPORT flens_status flens_plugin_entry(uint32_t host_abi_version, const flens_host_services *services,
                                             const flens_registrar *registrar) {
  if (host_abi_version != FLENS_PLUGIN_ABI_VERSION) {
    services->set_error("ellipse was built for another FourierLens plugin ABI; rebuild it");
    return FLENS_ERROR_ABI;
  }
  host = services;
  return registrar->add(registrar, &descriptor);
}
