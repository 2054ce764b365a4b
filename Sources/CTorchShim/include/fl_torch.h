#pragma once
#ifdef __cplusplus
extern "C" {
#endif
int fl_torch_version_major(void);
#ifdef __cplusplus
}
#endif
