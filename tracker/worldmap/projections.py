"""Map projections on the unit sphere: longitude and latitude in degrees, x east and y north."""

import math

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Return the Equal Earth projection of a point (Šavrič, Patterson and Jenny, 2018)."""
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        math.radians(lon)
        * math.cos(theta)
        / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    )
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


def lambert_azimuthal(lon: float, lat: float, centre: tuple[float, float]) -> tuple[float, float]:
    """Return the Lambert azimuthal equal-area projection of a point around ``centre``.

    The point opposite the centre, which this projection cannot place, goes to the edge.
    """
    lam = math.radians(lon - centre[0])
    phi, phi0 = math.radians(lat), math.radians(centre[1])
    cos_lam = math.cos(lam)
    cos_phi = math.cos(phi)
    cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * cos_phi * cos_lam
    k = math.sqrt(2 / max(1e-12, 1 + cos_c))
    x = k * cos_phi * math.sin(lam)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * cos_phi * cos_lam)
    return x, y


def lambert_azimuthal_inverse(
    x: float, y: float, centre: tuple[float, float]
) -> tuple[float, float]:
    """Return the longitude and latitude of a point of :func:`lambert_azimuthal`."""
    rho = math.hypot(x, y)
    if rho == 0:
        return centre
    c = 2 * math.asin(min(1.0, rho / 2))
    phi0 = math.radians(centre[1])
    lat = math.asin(math.cos(c) * math.sin(phi0) + y * math.sin(c) * math.cos(phi0) / rho)
    lon = math.atan2(
        x * math.sin(c), rho * math.cos(phi0) * math.cos(c) - y * math.sin(phi0) * math.sin(c)
    )
    return centre[0] + math.degrees(lon), math.degrees(lat)
