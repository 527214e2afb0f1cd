"""Headless Chromium (Debian's chromium and chromium-driver) through Selenium,
for the tests of the pages idemlab writes and serves: open a page, collect
what its console said, take a screenshot and tell whether it is blank."""
import struct
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def chromium(width=1280, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def console_errors(driver, network_too=False):
    """What the page's console logged as errors (SEVERE) since the last call:
    its scripts' errors and exceptions. Chromium also logs every HTTP answer
    of 4xx or 5xx and every failed request as a "network" error; those are
    the answers the page shows, so they count only with network_too."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and (network_too or entry.get("source") != "network")]


def png_colours(png):
    """How many distinct RGB(A) pixel values a PNG holds (8-bit, non-interlaced)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, width, height, channels = 8, b"", 0, 0, 0
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        body = png[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8, "not an 8-bit PNG"
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    previous, colours = bytearray(stride), set()
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):  # undo the row's filter (PNG spec, section 9)
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        if row % 4 == 0:  # every fourth row is plenty to tell a blank page
            colours.update(bytes(line[i:i + channels]) for i in range(0, stride, channels * 2))
        previous = line
    return len(colours)
