"""PyTorch references of FourierLens's built-in architectures (Sources/CTorchShim/fl_torch_nets.hpp).

Module names match torchvision's resnet18 / vgg11_bn (torchvision itself is not needed), so
state dicts move between PyTorch and `flens` by name. Used by the interop tests
(Tests/FourierLensTorchTests/InteropTests.swift) and by benchmarks/train/compare.py.

The networks take *normalised* input; `Normalized` wraps one with (x - mean) / std, which is
what a FourierLens model applies to pixel-space input.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _stage(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True), nn.MaxPool2d(2)]


class SmallCNN(nn.Module):
    """Three conv-BN-ReLU-pool stages (32, 64, 128 channels), 2x2 average pool, linear."""

    def __init__(self, in_channels, classes):
        super().__init__()
        self.features = nn.Sequential(*_stage(in_channels, 32), *_stage(32, 64), *_stage(64, 128))
        self.classifier = nn.Linear(128 * 4, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 2), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision's resnet18; the CIFAR stem (3x3/1 conv, no max-pool) when imagenet_stem is False."""

    def __init__(self, in_channels, classes, imagenet_stem):
        super().__init__()
        self.imagenet_stem = imagenet_stem
        if imagenet_stem:
            self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if imagenet_stem else nn.Identity()
        self.layer1 = nn.Sequential(BasicBlock(64, 64, 1), BasicBlock(64, 64, 1))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128, 1))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, 2), BasicBlock(256, 256, 1))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, 2), BasicBlock(512, 512, 1))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class VGG11BN(nn.Module):
    """torchvision's vgg11_bn."""

    def __init__(self, in_channels, classes):
        super().__init__()
        layers, cin = [], in_channels
        for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def build(arch, in_channels, classes, height, width):
    """The reference network for a FourierLens architecture name and input size."""
    if arch == "smallcnn":
        return SmallCNN(in_channels, classes)
    if arch == "resnet18":
        return ResNet18(in_channels, classes, imagenet_stem=min(height, width) >= 64)
    if arch == "resnet18-imagenet":
        return ResNet18(in_channels, classes, imagenet_stem=True)
    if arch == "vgg11bn":
        return VGG11BN(in_channels, classes)
    raise ValueError("unknown architecture " + arch)


class Normalized(nn.Module):
    """(x - mean) / std per channel, then the network: a FourierLens model's forward."""

    def __init__(self, net, mean, std):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)
