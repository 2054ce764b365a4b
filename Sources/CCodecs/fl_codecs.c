#include "fl_codecs.h"
