"""PyTorch peer of the study benchmark (bench/study.js): the same pruning study on the same data,
written plainly as a researcher would: LeNet-5, SGD lr 0.01 batch 16, 10 baseline epochs with
validation, then 83 steps of the paper's rule (max |cos| pair, W[j]+=W[i], b[j]+=b[i], remove i),
test accuracy before and after 1 retraining epoch each. Usage: torch_study.py DATA.bin THREADS
[NTRAIN NVAL NTEST BASELINE_EPOCHS RETRAIN_EPOCHS STEPS] (defaults: the reference configuration,
2000 500 1000 10 1 83). DATA.bin: float32 train, val and test images (x1024), then uint8 labels."""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn

path, threads = sys.argv[1], int(sys.argv[2])
# optional: sizes, baseline epochs, retraining epochs per step, steps (default: the reference configuration)
ntr, nva, nte, base_epochs, retrain_epochs, steps = (list(map(int, sys.argv[3:9])) + [2000, 500, 1000, 10, 1, 83][len(sys.argv[3:9]):])[:6]
torch.set_num_threads(threads)
torch.manual_seed(1)
raw = np.fromfile(path, dtype=np.uint8)
f = raw[: (ntr + nva + nte) * 1024 * 4].view(np.float32).reshape(-1, 1, 32, 32)
lab = raw[(ntr + nva + nte) * 1024 * 4:]
xtr, xva, xte = [torch.from_numpy(a.copy()) for a in (f[:ntr], f[ntr:ntr + nva], f[ntr + nva:])]
ytr, yva, yte = [torch.from_numpy(a.astype(np.int64)) for a in (lab[:ntr], lab[ntr:ntr + nva], lab[ntr + nva:])]


class LeNet(nn.Module):
    def __init__(self, h=84):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh())
        self.fc = nn.Linear(120, h)
        self.out = nn.Linear(h, 10)

    def hidden(self, x):
        return torch.tanh(self.fc(self.features(x)))

    def forward(self, x):
        return self.out(self.hidden(x))


def accuracy(net, x, y):
    with torch.no_grad():
        return (net(x).argmax(1) == y).float().mean().item()


def train(net, epochs):
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    best, best_state = -1, None
    for e in range(epochs):
        perm = torch.randperm(ntr)
        for i in range(0, ntr, 16):
            idx = perm[i:i + 16]
            opt.zero_grad()
            loss_fn(net(xtr[idx]), ytr[idx]).backward()
            opt.step()
        v = accuracy(net, xva, yva)
        if v > best:
            best, best_state = v, {k: t.clone() for k, t in net.state_dict().items()}
    net.load_state_dict(best_state)


t0 = time.perf_counter()
net = LeNet()
train(net, base_epochs)
base = accuracy(net, xte, yte)
t_base = time.perf_counter() - t0
curve = []
for step in range(steps):
    with torch.no_grad():
        a = net.hidden(xtr[:min(ntr, 1000)])
        a = a / a.norm(dim=0, keepdim=True).clamp_min(1e-12)
        cos = (a.T @ a).abs().triu(1)
        i, j = divmod(int(cos.argmax()), cos.shape[0])
        W, b, V = net.fc.weight.clone(), net.fc.bias.clone(), net.out.weight.clone()
        W[j] += W[i]; b[j] += b[i]
        keep = [k for k in range(W.shape[0]) if k != i]
        new = LeNet(len(keep))
        new.features.load_state_dict(net.features.state_dict())
        new.fc.weight.copy_(W[keep]); new.fc.bias.copy_(b[keep])
        new.out.weight.copy_(V[:, keep]); new.out.bias.copy_(net.out.bias)
    net = new
    before = accuracy(net, xte, yte)
    train(net, retrain_epochs)
    curve.append(accuracy(net, xte, yte))
total = time.perf_counter() - t0
print(json.dumps({"threads": threads, "seconds": total, "baselineSeconds": t_base, "stepSeconds": (total - t_base) / max(steps, 1), "baseline": base, "final": curve[-1], "torch": torch.__version__}))
