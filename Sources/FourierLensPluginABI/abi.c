// The ABI target is the header; this file only makes it a compilable C target and
// checks, at compile time, the layout promises the header makes (versioning depends on
// the leading members never moving).
#include "fourierlens_plugin.h"

_Static_assert(offsetof(flens_plugin_descriptor, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_plugin_descriptor, abi_version) == 4, "abi_version second");
_Static_assert(offsetof(flens_host_services, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_host_services, abi_version) == 4, "abi_version second");
_Static_assert(offsetof(flens_mask_ops, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_attack_ops, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_augmentation_ops, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_parameter, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_options, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_mask_request, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_model, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(flens_registrar, struct_size) == 0, "struct_size first");
_Static_assert(sizeof(flens_status) == 4, "flens_status is int32");
