"""PyTorch peer for `npm run bench`: the same LeNet-5 (tanh, average pooling, 6-16-120-84-10,
softmax cross-entropy, plain SGD) trained and run on random data, at each thread count; each rate
the best of several short timed passes, as in bench/engine.js. Usage: torch_lenet.py [IMAGES
[SLICE [PASSES]]]. Prints one JSON object. Run with Debian's python3-torch (/usr/bin/python3)."""
import json, sys, time
import torch
import torch.nn as nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


def best_pass(images, slice_, passes, run):
    """The best of `passes` timed passes over `slice_` images, after a warm-up pass (as bench/engine.js)."""
    run(0)
    best = 0.0
    for k in range(1, passes + 1):
        start = (k * slice_) % (images - slice_ + 1)
        t = time.perf_counter(); run(start); best = max(best, slice_ / (time.perf_counter() - t))
    return best


def train_rate(batch, images, slice_, passes):
    torch.manual_seed(1)
    net = lenet()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(images, 1, 32, 32)
    y = torch.randint(0, 10, (images,))
    def run(start):
        for i in range(start, start + slice_, batch):
            opt.zero_grad()
            loss = loss_fn(net(x[i:i + batch]), y[i:i + batch])
            loss.backward()
            opt.step()
    return best_pass(images, slice_, passes, run)


def infer_rate(batch, images, slice_, passes):
    net = lenet().eval()
    x = torch.randn(images, 1, 32, 32)
    def run(start):
        for i in range(start, start + slice_, batch): net(x[i:i + batch])
    with torch.no_grad():
        return best_pass(images, slice_, passes, run)


def main():
    images = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    slice_ = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    out = {"torch": torch.__version__, "results": []}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        out["results"].append({
            "threads": threads,
            "train16": train_rate(16, images, slice_, passes), "train128": train_rate(128, images, slice_, passes),
            "infer": infer_rate(128, images, slice_, passes),
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
