#!/usr/bin/python3
"""Writes tinynet.onnx, the net vision's dnn test runs (torch 1.13, opset 11):
input (N,1,3,4), output (N,2) = relu(W x + b) with W[k][i] = (k+1)*(i%5) - i/4
and b[k] = 0.5 - k, i the pixel index (row-major); the test computes the same
in Go.  /usr/bin/python3 vision/testdata/tinynet.py"""
import torch
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 2)
        with torch.no_grad():
            for k in range(2):
                for i in range(12):
                    self.fc.weight[k, i] = (k + 1) * (i % 5) - i / 4
                self.fc.bias[k] = 0.5 - k

    def forward(self, x):
        return torch.relu(self.fc(torch.flatten(x, 1)))


torch.onnx.export(Tiny().eval(), torch.zeros(1, 1, 3, 4), "vision/testdata/tinynet.onnx",
                  input_names=["x"], output_names=["y"],
                  dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=11)
