import CTorchShim
import FourierLens
