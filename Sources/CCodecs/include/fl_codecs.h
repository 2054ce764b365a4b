// Image codecs over libpng and libjpeg, with their longjmp error paths contained in C.
#pragma once
