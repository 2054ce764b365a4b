// The FourierLens plugin ABI (to be defined).
#pragma once
