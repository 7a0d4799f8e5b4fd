"""What icr/train/train.py and linenet/train/train.py both do around their
own networks: early stopping on a validation loss, and writing the trained
network (ONNX, opset 11: what OpenCV 4.6's dnn reads) with its record.

The two scripts import it from scripts/ (Debian's python3-torch 1.13,
/usr/bin/python3); it is not run by itself.
"""
import json
import math

import torch


class EarlyStopping:
    """Keeps the weights of the epoch with the lowest validation loss and
    says when patience epochs in a row have not lowered it."""

    def __init__(self, patience):
        self.patience = patience
        self.best = math.inf
        self.best_state = None
        self.since = 0

    def stop(self, net, vloss):
        """Records an epoch's validation loss; True when training should stop."""
        if vloss < self.best:
            self.best, self.since = vloss, 0
            self.best_state = {k: v.clone() for k, v in net.state_dict().items()}
            return False
        self.since += 1
        return self.since >= self.patience


def export(net, example, onnx_path, input_name, dynamic_axes, info, info_path):
    """Writes net as ONNX (input input_name, output "logits") and info as
    sorted, indented JSON with a final newline."""
    net.eval()
    torch.onnx.export(net, example, onnx_path,
                      input_names=[input_name], output_names=["logits"],
                      dynamic_axes=dynamic_axes,
                      opset_version=11, do_constant_folding=True)
    with open(info_path, "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
        f.write("\n")
