from hiplab.library import default_library
from hiplab.library.models import Keyframe, LimbAngles
from hiplab.report.figure import pose_points


def test_roll_90_lays_a_frontal_figure_on_its_left_side() -> None:
    frame = Keyframe(right=LimbAngles(hip_abduction=35))
    upright = pose_points(frame, "frontal")
    lying = pose_points(frame, "frontal", roll_deg=90)
    assert upright["head"][1] > upright["pelvis"][1]
    assert lying["head"][0] > lying["pelvis"][0]
    assert abs(lying["head"][1] - lying["pelvis"][1]) < 0.02
    assert lying["right_ankle"][1] > lying["left_ankle"][1]  # the abducted right leg is on top
    assert min(y for _, y in lying.values()) >= 0


def test_side_lying_frontal_pictures_are_drawn_lying() -> None:
    for e in default_library().exercises.values():
        if e.position.value == "side_lying" and e.pose.view == "frontal":
            assert e.pose.roll_deg == 90, e.id
