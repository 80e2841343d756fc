"""PyTorch peer of bench/architectures.js: LeNet-300-100 (784-300-100-10, ReLU) and the Caffe LeNet-5
(conv 20 and 50 @5x5, ReLU, max-pooling, 800-500-10) trained by plain SGD at batch 16 on random
1x28x28 data, at 1 and 2 threads; each rate the best of several short timed passes after a warm-up,
as in bench/engine.js. Usage: torch_architectures.py NAME [IMAGES [SLICE [PASSES]]]. Prints one JSON
object. Run with Debian's python3-torch (/usr/bin/python3) on OpenBLAS (bench/peer.js)."""
import json, os, sys
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_lenet import best_pass  # noqa: E402


def network(name):
    if name == 'lenet-300-100':
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                             nn.Linear(100, 10))
    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


def train_rate(name, images, slice_, passes):
    torch.manual_seed(1)
    net = network(name)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(images, 1, 28, 28)
    y = torch.randint(0, 10, (images,))

    def run(start):
        for i in range(start, start + slice_, 16):
            opt.zero_grad()
            loss_fn(net(x[i:i + 16]), y[i:i + 16]).backward()
            opt.step()
    return best_pass(images, slice_, passes, run)


def main():
    name = sys.argv[1]
    images = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    slice_ = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
    passes = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    out = {"torch": torch.__version__, "results": []}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        out["results"].append({"threads": threads, "train16": train_rate(name, images, slice_, passes)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
