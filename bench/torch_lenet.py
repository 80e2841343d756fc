"""PyTorch peer for `npm run bench`: the same LeNet-5 (tanh, average pooling, 6-16-120-84-10,
softmax cross-entropy, plain SGD) trained and run on random data, at each thread count.
Prints one JSON object. Run with Debian's python3-torch (/usr/bin/python3)."""
import json, sys, time
import torch
import torch.nn as nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


def train_rate(batch, images):
    torch.manual_seed(1)
    net = lenet()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(images, 1, 32, 32)
    y = torch.randint(0, 10, (images,))
    def epoch():
        for i in range(0, images, batch):
            opt.zero_grad()
            loss = loss_fn(net(x[i:i + batch]), y[i:i + batch])
            loss.backward()
            opt.step()
    epoch()  # warm-up
    t = time.perf_counter(); epoch(); s = time.perf_counter() - t
    return images / s


def infer_rate(batch, images):
    net = lenet().eval()
    x = torch.randn(images, 1, 32, 32)
    with torch.no_grad():
        for i in range(0, images, batch): net(x[i:i + batch])
        t = time.perf_counter()
        for i in range(0, images, batch): net(x[i:i + batch])
        s = time.perf_counter() - t
    return images / s


def main():
    images = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    out = {"torch": torch.__version__, "results": []}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        out["results"].append({
            "threads": threads,
            "train16": train_rate(16, images), "train128": train_rate(128, images),
            "infer": infer_rate(128, images * 2),
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
