"""Attendance: importing the SIS exports, computing each student's numbers, firing triggers."""
