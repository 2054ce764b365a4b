#include "fl_torch.h"
#include <torch/torch.h>
extern "C" int fl_torch_version_major(void) { return TORCH_VERSION_MAJOR; }
