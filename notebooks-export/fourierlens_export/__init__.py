"""Export PyTorch language-model tensors to FourierLens dumps."""
