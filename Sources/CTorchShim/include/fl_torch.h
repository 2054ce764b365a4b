/*
 * fl_torch.h — the whole C interface between FourierLens (Swift) and libtorch (C++).
 *
 * Why C: Swift imports C headers directly, and a C boundary keeps C++ exceptions,
 * templates and libtorch types out of Swift. Every function catches every C++
 * exception and reports it as a status code plus a message (flt_last_error()).
 *
 * Conventions
 *  - Functions return FLT_OK (0) on success or a negative FLT_ERR_* code; on failure the
 *    message of the most recent error on the calling thread is returned by flt_last_error().
 *    The code says what kind of failure it was (the caller acts on the code, never on the
 *    text); the message says what exactly and names no file: the caller knows which file
 *    it passed and names it once.
 *  - Handles (flt_model, flt_optimizer) are created by *_create / *_load functions, are
 *    owned by the caller, and are released with the matching *_free (NULL is ignored).
 *  - Buffers are caller-owned float32 arrays with explicit sizes. Images are NCHW in
 *    pixel space; the model applies its own normalisation (x − mean) / std.
 *  - Inference calls (forward, loss/gradient) run in evaluation mode (BatchNorm running
 *    statistics, no dropout) with the weights frozen; training steps run in training
 *    mode. The mode is switched for the duration of each call, so a model handle always
 *    rests in evaluation mode. No autograd graph outlives a call.
 *  - A handle may be used from any thread, but not from two threads at once.
 *  - Devices: a model lives on one device (the CPU unless flt_model_to_device moved it).
 *    Buffers passed in and out are always host memory; each call copies its inputs to the
 *    model's device and its results back, and all computation in between stays there.
 *    The shim links libtorch_cpu and libc10 only: libtorch's CUDA library is loaded with
 *    dlopen the first time a CUDA device is asked for, so a machine without a GPU or
 *    without the CUDA libraries runs everything on the CPU.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes (plain macros so that Swift imports them as Int32, like the return values). */
#define FLT_OK 0
#define FLT_ERR_ARGUMENT (-1) /* a bad argument: null pointer, unknown name, wrong shape */
#define FLT_ERR_IO (-2)       /* a file that cannot be read or written, or is corrupt */
#define FLT_ERR_TORCH (-3)    /* libtorch raised an error during computation */
#define FLT_ERR_INTERNAL (-4) /* anything else (out of memory, unexpected exception) */
#define FLT_ERR_DEVICE (-5)   /* the device asked for is not available (no GPU, no driver, no CUDA library) */
#define FLT_ERR_SHAPE (-6)    /* a batch whose image shape is not the model's, or logits of the wrong shape */

/* Objectives whose input gradient flt_model_loss_gradient computes (see Classifier.swift). */
#define FLT_OBJECTIVE_CROSS_ENTROPY 0      /* loss_i = logsumexp(z_i) − z_i[y_i]; needs labels */
#define FLT_OBJECTIVE_SOFT_CROSS_ENTROPY 1 /* loss_i = −Σ_k t_ik log softmax(z_i)_k; needs targets [N, K] */
#define FLT_OBJECTIVE_LOGIT_MARGIN 2       /* loss_i = max_{j≠y_i} z_ij − z_i[y_i]; needs labels */

/* Element types of flt_model_load_named_tensors. */
#define FLT_DTYPE_FLOAT32 0
#define FLT_DTYPE_FLOAT64 1
#define FLT_DTYPE_FLOAT16 2
#define FLT_DTYPE_BFLOAT16 3
#define FLT_DTYPE_INT64 4

#define FLT_OPTIMIZER_SGD 0
#define FLT_OPTIMIZER_ADAM 1

/* Frequency transforms of flt_masked_forward. */
#define FLT_TRANSFORM_DFT 0 /* x_M = Re(DFT⁻¹(M ⊙ DFT(x))), M in the unshifted layout ([0, 0] is DC) */
#define FLT_TRANSFORM_DCT 1 /* x_M = Cᵀ(M ⊙ C x) with C the orthonormal 2-D DCT-II */

typedef struct flt_model flt_model;
typedef struct flt_optimizer flt_optimizer;
typedef struct flt_masked_pass flt_masked_pass;

/* ---- library ------------------------------------------------------------------------- */

/* The message of the most recent failure on this thread ("" if none). Valid until the next
 * failing call on this thread. */
const char *flt_last_error(void);

/* libtorch's major·100 + minor version (e.g. 215 for 2.15). */
int flt_version(void);

/* Intra-op threads for libtorch (OpenMP, MKL) and, when present, a shared OpenBLAS. n ≥ 1. */
int flt_set_num_threads(int n);
int flt_get_num_threads(void);

/* Makes glibc keep freed memory for reuse instead of returning it to the kernel: large
 * blocks come from the heap (mmap threshold raised as far as glibc allows, reported in
 * *mmap_threshold) and the heap is trimmed only beyond twice that. Training allocates and
 * frees the same activation sizes every step; without this each step maps fresh pages and
 * the kernel zeroes them (measured: ~3× the page faults and +40 % CPU per image). */
int flt_keep_freed_memory(size_t *mmap_threshold);

/* Seeds libtorch's global generator (weight initialisation, dropout). */
int flt_manual_seed(uint64_t seed);

/* The BLAS libtorch calls: its build's BLAS_INFO ("mkl" for the PyPI wheel) and, when a
 * shared library exports sgemm_, that library's path; NUL-terminated into `out` (capacity
 * `cap`). */
int flt_blas_library(char *out, size_t cap);

/* Measures an n×n float32 matrix product (torch::mm), best of `repeats`; GFLOP/s. */
int flt_benchmark_matmul(int n, int repeats, double *gflops);

/* Whether libtorch was built with oneDNN (MKL-DNN) and it is usable. */
int flt_mkldnn_available(void);

/* ---- devices ------------------------------------------------------------------------- */

/* The number of CUDA devices libtorch can use (0 without a GPU, a driver or the CUDA
 * libraries) and, when it is 0, why, NUL-terminated into `reason` (may be NULL). The first
 * call loads libtorch's CUDA library; later calls return the same answer. */
int flt_cuda_device_count(int *count, char *reason, size_t reason_cap);

/* ---- models -------------------------------------------------------------------------- */

/* A built-in architecture: "smallcnn", "resnet18" (CIFAR stem — 3×3 conv, no max-pool —
 * when min(height, width) < 64, ImageNet stem otherwise), "resnet18-imagenet" (the ImageNet
 * stem — 7×7/2 conv and 3×3/2 max-pool — at any size ≥ 32×32, as torchvision builds it) or
 * "vgg11bn" (height, width ≥ 32).
 * Parameter names match torchvision's resnet18 / vgg11_bn. `mean` and `std` have
 * `in_channels` entries. Weights are initialised from `seed`. */
int flt_model_create(const char *arch, int in_channels, int classes, int height, int width,
                     const float *mean, const float *std, uint64_t seed, flt_model **out);

/* Loads weights saved by flt_model_save_weights into a model of the same architecture. */
int flt_model_load_weights(flt_model *model, const char *path);

/* Writes the weights (a libtorch archive of named parameters and buffers) to `path`
 * through a temporary file in the same directory and a rename. */
int flt_model_save_weights(const flt_model *model, const char *path);

/* Copies tensors from a PyTorch state dict into the model. The file is what Python writes
 * with `torch.save(model.state_dict(), path)` or `torch.save(dict(model.state_dict()), path)`
 * (name → tensor; a "module." prefix from DataParallel is removed). Every parameter and buffer of the model
 * must be present with the same shape; extra entries are an error. */
int flt_model_load_state_dict(flt_model *model, const char *path);

/* Copies named tensors from caller memory into the model, with the checks of
 * flt_model_load_state_dict (every parameter and buffer present with its shape, nothing
 * extra, a common "module." prefix removed); for state dicts read by the caller, such as
 * .safetensors files. Tensor i is names[i], of type
 * dtypes[i] (FLT_DTYPE_*), with ranks[i] dimensions taken in turn from `shapes`, and its
 * little-endian C-order bytes at data[i]. */
int flt_model_load_named_tensors(flt_model *model, int64_t count, const char *const *names,
                                 const int *dtypes, const int *ranks, const int64_t *shapes, const void *const *data);

/* A TorchScript module (saved by torch.jit.save / torch.jit.trace(...).save) that maps a
 * normalised [N, in_channels, height, width] batch to [N, classes] logits; the wrapper
 * normalises pixel-space input with mean/std. The module is probed once with one image. */
int flt_model_load_torchscript(const char *path, int in_channels, int height, int width, int classes,
                               const float *mean, const float *std, flt_model **out);

/* Saves a TorchScript model's module to `path` (temporary file + rename). */
int flt_model_save_torchscript(const flt_model *model, const char *path);

/* Keeps 4-d weights and activations in channels-last (NHWC) memory order from now on (on),
 * or in the default NCHW order (off). Results are the same up to float rounding; oneDNN's
 * convolutions are faster on channels-last tensors. Buffers passed in and out stay NCHW.
 * Call before creating an optimiser. */
int flt_model_set_channels_last(flt_model *model, int on);

/* Evaluation-mode calls (forward, loss/gradient) of a built-in architecture run with every
 * BatchNorm folded into the convolution before it (on, the default): the same function up
 * to float rounding, one operation less per layer forward and backward. The folded weights
 * are recomputed whenever parameters or running statistics change. Off: the plain layers. */
int flt_model_set_fold_batchnorm(flt_model *model, int on);

/* Moves the model's weights, buffers and normalisation to `device`: "cpu", "cuda" (device 0)
 * or "cuda:N". FLT_ERR_DEVICE when that device is not available (the message says why).
 * Call before creating an optimiser. */
int flt_model_to_device(flt_model *model, const char *device);

/* The model's device as libtorch names it ("cpu", "cuda:0"), NUL-terminated into `out`. */
int flt_model_device(const flt_model *model, char *out, size_t cap);

void flt_model_free(flt_model *model);

/* 1 if the model wraps a TorchScript module, 0 for a built-in architecture. */
int flt_model_is_torchscript(const flt_model *model);

/* Number of parameter and buffer tensors, and their total element count. */
int flt_model_tensor_count(const flt_model *model, int64_t *tensors, int64_t *elements);

/* Name and shape of the i-th parameter/buffer (state-dict order). `name` has capacity
 * `name_cap`; `shape` has capacity `shape_cap` and `rank` receives the rank. */
int flt_model_tensor_info(const flt_model *model, int64_t index, char *name, size_t name_cap,
                          int64_t *shape, int shape_cap, int *rank);

/* Logits for a batch: input [n, c, h, w] (pixel space); `logits` has room for n·classes,
 * where `classes` is the size the caller expects (an error if the model disagrees). */
int flt_model_forward(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h, int64_t w,
                      float *logits, int64_t classes);

/* Multiply-accumulates per image of every convolution and linear layer that one
 * evaluation-mode forward pass runs, in call order, counted from the operators libtorch
 * executes (so from the network's one definition, built-in or TorchScript). Up to
 * `capacity` entries go into `macs`; `*count` receives how many there are (call again with
 * a larger buffer when it exceeds `capacity`). */
int flt_model_layer_macs(flt_model *model, int64_t *macs, int64_t capacity, int64_t *count);

/* Per-sample losses, logits and ∂(Σ_i weights_i·loss_i)/∂input for one objective.
 *  labels:  n entries (cross-entropy, logit margin), else may be NULL
 *  targets: n·classes probabilities (soft cross-entropy), else may be NULL
 *  weights: n entries, or NULL for 1/n each (the batch-mean loss)
 * Outputs: losses [n] (float64, so that differences of losses keep their precision),
 * logits [n·classes] (may be NULL), gradient [n·c·h·w]. */
int flt_model_loss_gradient(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h, int64_t w,
                            int objective, const int64_t *labels, const float *targets, const float *weights,
                            int64_t classes, double *losses, float *logits, float *gradient);

/* The paper's masked forward pass with the frequency stage on the model's device (libtorch's
 * FFT for the DFT, products with the DCT-II matrices for the DCT), for learning masks where
 * the data is. With x̂ = (x − mean)/std the normalised input of image i and M_a its mask:
 * x_M = T⁻¹(M_a ⊙ T(x̂)), logits z = f(x_M) (the network on x_M, without normalising again),
 * and one loss per image for `objective` (labels/targets as flt_model_loss_gradient).
 *  masks:      mask_count masks back to back, each [H, W] (shared by every channel) or, with
 *              per_channel ≠ 0, [C, H, W]; in the transform's unshifted layout
 *  assignment: n mask indices in 0..mask_count−1 (may be NULL when mask_count is 1)
 * Outputs: losses [n] (float64), logits [n·classes] (may be NULL), and *out, a pass that
 * keeps the graph from the masks to the losses for one flt_masked_backward. Free it with
 * flt_masked_pass_free; the model must not change in between. */
int flt_masked_forward(flt_model *model, const float *input, int64_t n, int64_t c, int64_t h, int64_t w,
                       int transform, const float *masks, int64_t mask_count, int per_channel,
                       const int64_t *assignment, int objective, const int64_t *labels, const float *targets,
                       int64_t classes, double *losses, float *logits, flt_masked_pass **out);

/* ∂(Σ_i loss_weights_i · loss_i)/∂masks of a pass (mask_count masks of the pass's shape,
 * into `mask_gradient`). Once per pass. */
int flt_masked_backward(flt_masked_pass *pass, const float *loss_weights, float *mask_gradient);

void flt_masked_pass_free(flt_masked_pass *pass);

/* Computes in float64 (on) or float32 (off, the default) from now on: weights, buffers and
 * the normalisation are converted; buffers passed in and out keep their types. Used to check
 * gradients against finite differences without float32 rounding. */
int flt_model_set_double_precision(flt_model *model, int on);

/* ---- training ------------------------------------------------------------------------ */

/* An optimiser over all parameters of a built-in model. SGD uses `momentum` (Nesterov when
 * nesterov ≠ 0) and decoupled-from-nothing L2 `weight_decay` as torch.optim.SGD; Adam uses
 * betas (0.9, 0.999) and L2 `weight_decay` as torch.optim.Adam. */
int flt_optimizer_create(flt_model *model, int kind, double lr, double momentum, double weight_decay,
                         int nesterov, flt_optimizer **out);
void flt_optimizer_free(flt_optimizer *optimizer);

/* Sets the learning rate of every parameter group (called each step by the one-cycle schedule). */
int flt_optimizer_set_lr(flt_optimizer *optimizer, double lr);

/* Saves / loads the optimiser's state (momentum buffers, Adam moments, step counts). */
int flt_optimizer_save(const flt_optimizer *optimizer, const char *path);
int flt_optimizer_load(flt_optimizer *optimizer, const char *path);

/* One optimisation step on a batch in training mode: mean cross-entropy over the batch,
 * backward, optimiser step. `seed` reseeds libtorch's generator first (dropout), so a step
 * is reproducible on its own. Returns the mean loss and the number of correctly classified
 * images (argmax of the training-mode logits). */
int flt_train_step(flt_model *model, flt_optimizer *optimizer, const float *input, int64_t n, int64_t c,
                   int64_t h, int64_t w, const int64_t *labels, uint64_t seed, float *loss, int64_t *correct);

/* ---- linear analyses of feature vectors (the embedding probe) ----------------------------
 * Both functions take n feature vectors of length d as a caller-owned row-major float32
 * array x [n·d], compute on the CPU in float64 and write only into caller-owned buffers;
 * they keep no state between calls and touch no handle, so they may run on several threads
 * at once (each uses libtorch's intra-op threads). Inputs with NaN or infinity are
 * FLT_ERR_ARGUMENT. Deterministic: the same input gives the same output. */

/* Principal component analysis of the centred rows (the column means are subtracted; no
 * scaling), by a thin SVD of the centred matrix X_c = U S Vᵀ (torch.linalg.svd).
 * 1 ≤ components ≤ min(n, d), n ≥ 2. Outputs:
 *  scores     [n·components]  X_c V_k: each row's coordinates on the components
 *  directions [components·d]  the unit principal directions (rows of Vᵀ), each signed so that
 *                             its entry of largest magnitude is positive (as scikit-learn)
 *  variances  [components]    S²/(n − 1), the variance along each direction, descending
 *  total_variance             trace of the sample covariance, Σ S²/(n − 1); the explained
 *                             fraction of component k is variances[k] / total_variance */
int flt_pca(const float *x, int64_t n, int64_t d, int64_t components, float *scores, float *directions,
            double *variances, double *total_variance);

/* Multinomial logistic (softmax) regression, full batch:
 *   minimise  (1/n) Σ_i CE(W x_i + b, y_i) + (l2/2)·‖W‖²_F        (the bias is not penalised)
 * with W [classes × d] and b [classes], by L-BFGS (torch::optim::LBFGS with the strong-Wolfe
 * line search, history 20) from W = 0, b = 0, until the largest gradient entry is
 * ≤ tolerance or after max_iterations iterations. The objective is convex (strictly in W for
 * l2 > 0); the bias stays in the sum-zero subspace it starts in, where the optimum is unique.
 * y: n labels in 0..classes−1, classes ≥ 2. Outputs: weights [classes·d] (class k's row at
 * k·d), bias [classes], *loss (the objective at the returned parameters), *evaluations
 * (objective evaluations used; may be NULL). */
int flt_softmax_regression_fit(const float *x, const int64_t *y, int64_t n, int64_t d, int64_t classes, double l2,
                               int64_t max_iterations, double tolerance, float *weights, float *bias, double *loss,
                               int64_t *evaluations);

#ifdef __cplusplus
}
#endif
