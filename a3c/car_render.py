"""CarRacing-v3's state frame, drawn as gymnasium draws it, with its polygon arithmetic in numpy.

CarRacing draws each 96x96 state frame by rotating, zooming and off-screen testing ~800 polygons
(400 grass patches and the track's tiles and kerbs) one vertex at a time in Python before drawing
the few that are on screen: most of an agent step's time (profile: `python -m cProfile` of 150
steps put 70% of the environment's time in `_render_road`'s Python). StateDrawer does that
arithmetic for all polygons at once and then draws exactly the polygons CarRacing would, in its
order, with the same pygame calls and the same coordinates (pygame's own rotation formula,
special cases included), so the frames are the same pixels (tests/a3c/test_car_render.py compares
them with CarRacing's own). The rest of the frame (the car, the indicators, the score) is drawn by
CarRacing's code; the score's font is loaded once instead of every frame.

It reimplements gymnasium 1.4.0's CarRacing._render("state_pixels"); with another gymnasium the
environment draws its frames itself (a warning says so).
"""
from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

GYMNASIUM_VERSION = "1.4.0"  # the CarRacing._render this module reproduces (requirements.txt pins it)
TWO_PI = 2 * math.pi
PYGAME_EPSILON = 1e-6  # pygame.math.Vector2's default epsilon: rotations within it of a right angle are exact


def supported() -> bool:
    """Whether the installed gymnasium's CarRacing is the one StateDrawer reproduces."""
    import gymnasium

    if gymnasium.__version__ == GYMNASIUM_VERSION:
        return True
    log.warning("gymnasium %s is not %s: CarRacing draws its own frames (slower, same pixels)",
                gymnasium.__version__, GYMNASIUM_VERSION)
    return False


def rotation(angle: float) -> tuple[float, float]:
    """(cos, sin) as pygame.math.Vector2.rotate_rad uses them: the angle reduced to [0, 2 pi), and
    exact values within pygame's epsilon of a multiple of pi / 2."""
    angle = math.fmod(angle, TWO_PI)
    if angle < 0:
        angle += TWO_PI
    if math.fmod(angle + PYGAME_EPSILON, math.pi / 2) < 2 * PYGAME_EPSILON:
        return ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 0.0))[
            int((angle + PYGAME_EPSILON) / (math.pi / 2))]
    return math.cos(angle), math.sin(angle)


def to_screen(vertices: np.ndarray, zoom: float, translation: tuple[float, float], angle: float) -> np.ndarray:
    """CarRacing._draw_colored_polygon's transform of world vertices (..., 2) to screen coordinates:
    pygame's rotation, then x * zoom + tx (the same floating-point operations, in the same order)."""
    cos, sin = rotation(angle)
    x, y = vertices[..., 0], vertices[..., 1]
    out = np.empty_like(vertices)
    if (cos, sin) in ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)):  # pygame swaps and negates
        rx = {(1.0, 0.0): x, (0.0, 1.0): -y, (-1.0, 0.0): -x, (0.0, -1.0): y}[(cos, sin)]
        ry = {(1.0, 0.0): y, (0.0, 1.0): x, (-1.0, 0.0): -y, (0.0, -1.0): -x}[(cos, sin)]
    else:
        rx, ry = cos * x - sin * y, sin * x + cos * y
    out[..., 0] = rx * zoom + translation[0]
    out[..., 1] = ry * zoom + translation[1]
    return out


class StateDrawer:
    """Draws one CarRacing environment's state frames (its `_render("state_pixels")`)."""

    def __init__(self, car: Any) -> None:
        from gymnasium.envs.box2d import car_racing

        self.car, self.cr = car, car_racing
        grass = []
        dim = car_racing.GRASS_DIM
        for x in range(-20, 20, 2):  # CarRacing._render_road's grass patches, in its order
            for y in range(-20, 20, 2):
                grass.append([(dim * x + dim, dim * y), (dim * x, dim * y), (dim * x, dim * y + dim),
                              (dim * x + dim, dim * y + dim)])
        self.grass = np.array(grass, dtype=np.float64)
        self.font: Any = None
        self.road: tuple[Any, np.ndarray] | None = None  # (the road_poly list it was made from, its vertices)

    def __call__(self, mode: str) -> Any:
        if mode != "state_pixels":
            return type(self.car)._render(self.car, mode)
        return self.draw()

    def draw(self) -> np.ndarray | None:
        import pygame

        car, cr = self.car, self.cr
        pygame.font.init()
        if car.clock is None:
            car.clock = pygame.time.Clock()
        if "t" not in car.__dict__:
            return None  # reset() not called yet
        car.surf = pygame.Surface((cr.WINDOW_W, cr.WINDOW_H))
        angle = -car.car.hull.angle
        zoom = 0.1 * cr.SCALE * max(1 - car.t, 0) + cr.ZOOM * cr.SCALE * min(car.t, 1)
        scroll_x = -(car.car.hull.position[0]) * zoom
        scroll_y = -(car.car.hull.position[1]) * zoom
        trans = pygame.math.Vector2((scroll_x, scroll_y)).rotate_rad(angle)
        trans = (cr.WINDOW_W / 2 + trans[0], cr.WINDOW_H / 4 + trans[1])
        self.draw_road(zoom, trans, angle)
        car.car.draw(car.surf, zoom, trans, angle, False)
        car.surf = pygame.transform.flip(car.surf, False, True)
        car._render_indicators(cr.WINDOW_W, cr.WINDOW_H)
        if self.font is None:
            self.font = pygame.font.Font(pygame.font.get_default_font(), 42)
        text = self.font.render(f"{car.reward:04.0f}", True, (255, 255, 255), (0, 0, 0))
        text_rect = text.get_rect()
        text_rect.center = (60, cr.WINDOW_H - cr.WINDOW_H * 2.5 / 40.0)
        car.surf.blit(text, text_rect)
        return car._create_image_array(car.surf, (cr.STATE_W, cr.STATE_H))

    def draw_road(self, zoom: float, trans: tuple[float, float], angle: float) -> None:
        """CarRacing._render_road: the background, then the grass patches and the road's polygons
        that reach the screen (within MAX_SHAPE_DIM of it), in CarRacing's order."""
        car, cr = self.car, self.cr
        bounds = cr.PLAYFIELD
        field = [(bounds, bounds), (bounds, -bounds), (-bounds, -bounds), (-bounds, bounds)]
        car._draw_colored_polygon(car.surf, field, car.bg_color, zoom, trans, angle, clip=False)
        for _, poly in self.visible(to_screen(self.grass, zoom, trans, angle)):
            draw_polygon(car.surf, poly, car.grass_color)
        road_poly = car.road_poly
        for i, poly in self.visible(to_screen(self.road_vertices(), zoom, trans, angle)):
            # read at each frame: a tile's colour changes in place when the car first drives on it
            draw_polygon(car.surf, poly, [int(c) for c in road_poly[i][1]])

    def road_vertices(self) -> np.ndarray:
        """The track's polygons as one (n, 4, 2) array, made once per track (CarRacing builds a
        new road_poly list for every track; it is held here, so `is` cannot match a new one)."""
        road_poly = self.car.road_poly
        if self.road is None or self.road[0] is not road_poly or len(self.road[1]) != len(road_poly):
            vertices = np.array([[(p[0], p[1]) for p in poly] for poly, _ in road_poly],
                                dtype=np.float64).reshape(-1, 4, 2)
            self.road = (road_poly, vertices)
        return self.road[1]

    def visible(self, screen: np.ndarray) -> list[tuple[int, list[tuple[float, float]]]]:
        """(index, vertices) of the polygons CarRacing draws: those with a vertex within
        MAX_SHAPE_DIM of the screen, in order."""

        cr = self.cr
        margin = cr.MAX_SHAPE_DIM
        x, y = screen[..., 0], screen[..., 1]
        inside = (-margin <= x) & (x <= cr.WINDOW_W + margin) & (-margin <= y) & (y <= cr.WINDOW_H + margin)
        return [(int(i), [(float(px), float(py)) for px, py in screen[i]]) for i in np.flatnonzero(inside.any(axis=1))]


def draw_polygon(surface: Any, poly: list[tuple[float, float]], colour: Any) -> None:
    """CarRacing._draw_colored_polygon's drawing: an anti-aliased outline, then the fill."""
    from pygame import gfxdraw

    gfxdraw.aapolygon(surface, poly, colour)
    gfxdraw.filled_polygon(surface, poly, colour)
