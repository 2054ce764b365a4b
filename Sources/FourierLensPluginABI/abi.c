#include "fourierlens_plugin.h"
