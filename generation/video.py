"""Clip making: a camera move between keyframes, optical-flow in-betweens, H.264 mp4 through imageio-ffmpeg's ffmpeg.

The mp4 is H.264 High, yuv420p, `+faststart` (moov first), which every browser plays, Chromium included.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
from PIL import Image

MIN_VIDEO_SIDE = 256  # tiny models make tiny frames; the clip is upscaled so a player shows something watchable


def camera_move(image: Image.Image, motion: str, amount: float = 0.06) -> Image.Image:
    """The previous keyframe moved by the camera (zoom or pan), the start of the next keyframe's img2img."""
    if motion == "none":
        return image
    frame = np.asarray(image)
    h, w = frame.shape[:2]
    if motion in ("zoom-in", "zoom-out"):
        scale = 1 + amount if motion == "zoom-in" else 1 / (1 + amount)
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 0, scale)
    elif motion in ("pan-left", "pan-right"):
        shift = amount * w * (1 if motion == "pan-left" else -1)
        matrix = np.float32([[1, 0, shift], [0, 1, 0]])
    else:
        raise ValueError(f"unknown camera motion {motion!r}")
    moved = cv2.warpAffine(frame, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return Image.fromarray(moved)


def _flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ga, gb = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    return cv2.calcOpticalFlowFarneback(ga, gb, None, 0.5, 3, 15, 3, 5, 1.2, 0)


def _warp(frame: np.ndarray, flow: np.ndarray, t: float) -> np.ndarray:
    h, w = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(
        frame,
        grid_x + t * flow[..., 0],
        grid_y + t * flow[..., 1],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def in_betweens(a: np.ndarray, b: np.ndarray, count: int) -> list[np.ndarray]:
    """`count` frames strictly between keyframes a and b: both warped along the optical flow, then blended."""
    if count <= 0:
        return []
    forward, backward = _flow(a, b), _flow(b, a)
    frames = []
    for i in range(1, count + 1):
        t = i / (count + 1)
        from_a = _warp(a, backward, t)  # sample a where the content will be at time t
        from_b = _warp(b, forward, 1 - t)
        frames.append(cv2.addWeighted(from_a, 1 - t, from_b, t, 0))
    return frames


def frames_from_keyframes(
    keyframes: list[Image.Image],
    total_frames: int,
    on_segment: Callable[[int], None] | None = None,
) -> list[np.ndarray]:
    """Exactly `total_frames` frames through all keyframes, in-betweens spread evenly over the segments."""
    arrays = [np.asarray(k.convert("RGB")) for k in keyframes]
    if len(arrays) == 1:
        return [arrays[0]] * total_frames
    segments = len(arrays) - 1
    between = max(0, total_frames - len(arrays))
    frames: list[np.ndarray] = []
    for s in range(segments):
        count = between // segments + (1 if s < between % segments else 0)
        frames.append(arrays[s])
        frames.extend(in_betweens(arrays[s], arrays[s + 1], count))
        if on_segment:
            on_segment(s)
    frames.append(arrays[-1])
    return (
        frames[:total_frames] if len(frames) >= total_frames else frames + [arrays[-1]] * (total_frames - len(frames))
    )


def encode_mp4(frames: list[np.ndarray], path: Path, fps: int) -> dict:
    """H.264 mp4 (yuv420p, faststart); frames smaller than MIN_VIDEO_SIDE are upscaled (nearest-neighbour)."""
    h, w = frames[0].shape[:2]
    scale = max(1, -(-MIN_VIDEO_SIDE // max(w, h)))
    out_w, out_h = w * scale, h * scale
    out_w, out_h = out_w + out_w % 2, out_h + out_h % 2
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        str(fps),
        "-i",
        "-",
        "-vf",
        f"scale={out_w}:{out_h}:flags=neighbor" if scale > 1 else f"scale={out_w}:{out_h}",
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-preset",
        "medium",
        "-crf",
        "18",
        "-movflags",
        "+faststart",
        "-an",
        str(path),
    ]
    data = b"".join(np.ascontiguousarray(f, dtype=np.uint8).tobytes() for f in frames)
    done = subprocess.run(command, input=data, capture_output=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg could not encode the clip: {done.stderr.decode(errors='replace')[-500:]}")
    return {
        "width": out_w,
        "height": out_h,
        "frames": len(frames),
        "fps": fps,
        "seconds": round(len(frames) / fps, 3),
    }
