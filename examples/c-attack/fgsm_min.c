/* fgsm-min: the smallest fast-gradient-sign step that fools the model, per image.
 *
 * One loss_grad call gives the sign of the cross-entropy gradient of the whole batch;
 * then `steps` logits calls try the budgets eps*1/steps, eps*2/steps, ..., eps, and each
 * image keeps the first (smallest) one the model misclassifies, or the full step when
 * none does. Per batch of n images that is 1 loss_grad call and `steps` logits calls,
 * n*(1 + steps) images evaluated: what `flens attack` reports under model_queries.
 *
 * Build (from the repository root):
 *   cc -shared -fPIC -I Sources/FourierLensPluginABI/include -o libfgsm_min.so examples/c-attack/fgsm_min.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fourierlens_plugin.h"

static const flens_host_services *host;

typedef struct {
  float eps;
  int steps;
} fgsm_min;

static const flens_parameter parameters[] = {
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "eps", "largest L-infinity step, in pixel units [0, 1]", "0.03",
   0, 1, FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
  {sizeof(flens_parameter), FLENS_PARAM_INT, "steps", "budgets tried: eps*k/steps for k = 1..steps", "4",
   1, 64, FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
};

static flens_status create(const flens_plugin_descriptor *plugin, const flens_options *options, void **out) {
  (void)plugin;
  fgsm_min *a = malloc(sizeof *a);
  if (!a) {
    host->set_error("out of memory");
    return FLENS_ERROR_OUT_OF_MEMORY;
  }
  /* The host validated the options against the schema above: no range checks needed. */
  a->eps = (float)options->values[0].number;
  a->steps = (int)options->values[1].integer;
  *out = a;
  return FLENS_OK;
}

static int argmax(const float *row, uint32_t k) {
  uint32_t best = 0;
  for (uint32_t j = 1; j < k; j++)
    if (row[j] > row[best]) best = j;
  return (int)best;
}

static flens_status run(void *instance, const flens_model *model, const float *images, uint64_t n, uint32_t c,
                        uint32_t h, uint32_t w, const int32_t *labels, uint64_t seed, float *out) {
  (void)seed; /* deterministic: no randomness */
  const fgsm_min *a = instance;
  const uint64_t per = (uint64_t)c * h * w, size = n * per;
  float *losses = malloc(n * sizeof *losses), *grad = malloc(size * sizeof *grad);
  float *trial = malloc(size * sizeof *trial), *logits = malloc(n * model->classes * sizeof *logits);
  char *done = calloc(n, 1);
  flens_status status = FLENS_OK;
  if (!losses || !grad || !trial || !logits || !done) {
    host->set_error("out of memory");
    status = FLENS_ERROR_OUT_OF_MEMORY;
    goto cleanup;
  }
  /* The callbacks set the host's error message themselves when they fail: pass it on. */
  status = model->loss_grad(model->ctx, images, n, labels, FLENS_OBJECTIVE_CROSS_ENTROPY, NULL, losses, grad);
  if (status != FLENS_OK) goto cleanup;
  for (int k = 1; k <= a->steps; k++) {
    const float step = a->eps * (float)k / (float)a->steps;
    for (uint64_t i = 0; i < size; i++) {
      const float s = grad[i] > 0 ? step : (grad[i] < 0 ? -step : 0);
      const float v = images[i] + s;
      trial[i] = v < 0 ? 0 : (v > 1 ? 1 : v);
    }
    status = model->logits(model->ctx, trial, n, logits);
    if (status != FLENS_OK) goto cleanup;
    for (uint64_t m = 0; m < n; m++) {
      /* An image keeps the first budget that fools the model; the others take every try. */
      if (done[m]) continue;
      memcpy(out + m * per, trial + m * per, per * sizeof *out);
      if (argmax(logits + m * model->classes, model->classes) != labels[m]) done[m] = 1;
    }
  }
  uint64_t fooled = 0;
  for (uint64_t m = 0; m < n; m++) fooled += done[m];
  char line[128];
  snprintf(line, sizeof line, "fooled %llu of %llu images within eps %g", (unsigned long long)fooled,
           (unsigned long long)n, (double)a->eps);
  host->log(FLENS_LOG_DEBUG, line);
cleanup:
  free(losses);
  free(grad);
  free(trial);
  free(logits);
  free(done);
  return status;
}

static void destroy(void *instance) { free(instance); }

static const flens_attack_ops ops = {
  .struct_size = sizeof(flens_attack_ops), .create = create, .run = run, .destroy = destroy,
};

static const flens_plugin_descriptor descriptor = {
  .struct_size = sizeof(flens_plugin_descriptor),
  .abi_version = FLENS_PLUGIN_ABI_VERSION,
  .kind = FLENS_KIND_ATTACK,
  .parameter_count = sizeof parameters / sizeof parameters[0],
  .name = "fgsm-min",
  .summary = "smallest fast-gradient-sign step (of eps*k/steps) that fools the model, per image",
  .parameters = parameters,
  .mask = NULL,
  .attack = &ops,
  .augmentation = NULL,
  .plugin_data = NULL,
};

FLENS_EXPORT flens_status flens_plugin_entry(uint32_t host_abi_version, const flens_host_services *h,
                                             const flens_registrar *registrar) {
  host = h;
  if (host_abi_version != FLENS_PLUGIN_ABI_VERSION) {
    h->set_error("built for another FourierLens plugin ABI version");
    return FLENS_ERROR_ABI;
  }
  return registrar->add(registrar, &descriptor);
}
